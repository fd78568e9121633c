// Browser tests: page helpers around Debian's Chromium (launched in chromium.ts), and axe-core for
// WCAG 2.1 AA checks.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export { CHROMIUM_PATH, hasChromium, launchBrowser } from './chromium.js';
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

// The callbacks given to page.evaluate/addInitScript run in Chromium, not in Node. The tests are not
// compiled with the DOM library (it would let Node-side code use `document` and loosen Node's own
// types), so the few page globals those callbacks touch are declared here, for this module only.
interface SecurityPolicyViolationEvent {
  violatedDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
}
declare const document: {
  readonly activeElement: unknown;
  addEventListener(type: 'securitypolicyviolation', listener: (e: SecurityPolicyViolationEvent) => void): void;
};
declare const window: unknown;

let axeSource: string | undefined;

/**
 * Runs axe-core in the page (injected from node_modules, so no network) with the WCAG 2.0/2.1 A
 * and AA tags and returns the violations; `include` narrows the check to a selector.
 */
export async function runAxe(page: Page, include?: string): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Injected as a script body rather than a <script src>: works under the page's CSP, which
  // Playwright's evaluate is exempt from.
  await page.evaluate(axeSource);
  return page.evaluate(
    async ({ tags, context }) => {
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run(context ?? document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      }));
    },
    { tags: [...WCAG_TAGS], context: include },
  );
}

/** A readable summary for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact ?? '?'}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`)
    .join('\n');
}

/**
 * CSP violations, page errors and alert() calls, from the first script on. 401 and 404 answers the
 * console logs (before login, a wrong password, /favicon.ico) are answers, not faults.
 */
export async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of (401|404)\b/.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  await page.exposeFunction('__reportCsp', (text: string) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCsp(t: string): void }).__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return problems;
}

/**
 * What the page sent and received over the network, with milliseconds since the call: requests,
 * answers, failures, and WebSocket opens, frames and closes. For assertion messages of tests whose
 * failure is a matter of timing (a reconnect that never came), where the order of events is the
 * diagnosis. Stream tokens are cut from URLs.
 */
export function traceNetwork(page: Page): string[] {
  const trace: string[] = [];
  const start = Date.now();
  const note = (line: string) => trace.push(`${String(Date.now() - start).padStart(6)} ms ${line.replace(/([?&]t=)[^&\s]+/, '$1…')}`);
  page.on('request', (r) => note(`→ ${r.method()} ${r.url()}`));
  page.on('response', (r) => note(`← ${r.status()} ${r.request().method()} ${r.url()}`));
  page.on('requestfailed', (r) => note(`✗ ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? '?'}`));
  page.on('websocket', (socket) => {
    note(`ws open ${socket.url()}`);
    socket.on('framereceived', (frame) => note(`ws frame ${String(frame.payload).length} bytes`));
    socket.on('socketerror', (error) => note(`ws error ${error}`));
    socket.on('close', () => note('ws closed'));
  });
  return trace;
}
