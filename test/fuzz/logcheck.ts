// What the bot's log must never hold: stack traces, lines that are not pino's JSON, and anything a
// request carried (the fuzzer plants a marker string in its requests and looks for it here).
import type { LogLine } from './server.js';

export type LogViolationKind = 'stack-trace' | 'unstructured' | 'request-text';

export interface LogViolation {
  kind: LogViolationKind;
  /** Same signature = the same problem (numbers, ids and paths folded away). */
  signature: string;
  /** The line (or the first lines of a stack trace block), shortened. */
  excerpt: string;
  probe: number;
  life: number;
}

const STACK_FRAME = /^\s+at /;
const JSON_STACK_FRAME = /\\n\s+at /;

/**
 * Violations in `lines` (a slice of a server's log). Consecutive stderr lines of one stack trace
 * are one violation: the error line above the frames names it.
 */
export function logViolations(lines: readonly LogLine[], marker: string): LogViolation[] {
  const found: LogViolation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const parsed = parseJsonLine(line.text);
    if (parsed !== undefined) {
      const msg = typeof parsed['msg'] === 'string' ? parsed['msg'] : '';
      if (line.text.includes(marker)) {
        // Named by the top-level fields that hold it; the excerpt starts with the full paths.
        const paths = markerPaths(parsed, marker).map((p) => p.replaceAll(marker, '<marker>'));
        const fields = [...new Set(paths.map((p) => p.split(/[.[]/, 1)[0] ?? p))].sort().join(', ') || '(raw line)';
        found.push({
          kind: 'request-text',
          signature: `request-text in ${fields} of log line "${msg}"`,
          excerpt: shorten(`[marker at ${paths.slice(0, 6).join(', ')}] ${line.text}`),
          probe: line.probe,
          life: line.life,
        });
      }
      if (JSON_STACK_FRAME.test(line.text)) {
        found.push({ kind: 'stack-trace', signature: `stack trace inside log line "${msg}"`, excerpt: shorten(line.text), probe: line.probe, life: line.life });
      }
      continue;
    }
    if (line.text.trim() === '') continue;
    // A block: this line and the non-JSON lines after it on the same stream during the same probe
    // (an uncaught exception prints the source line, a caret, the error, its frames, the Node version).
    const block = [line.text];
    while (i + 1 < lines.length) {
      const next = lines[i + 1]!;
      if (next.stream !== line.stream || next.probe !== line.probe || next.life !== line.life || parseJsonLine(next.text) !== undefined) break;
      block.push(next.text);
      i += 1;
    }
    while (block.length > 1 && block[block.length - 1]!.trim() === '') block.pop();
    const firstFrame = block.findIndex((l) => STACK_FRAME.test(l));
    const excerpt = shorten(block.slice(0, 8).join('\n'), 600);
    if (block.some((l) => l.includes(marker))) {
      found.push({ kind: 'request-text', signature: `request-text in ${line.stream} text "${fold(line.text)}"`, excerpt, probe: line.probe, life: line.life });
    }
    if (firstFrame >= 0) {
      // The error is the line above the first frame; the first frame says where it was thrown.
      const head = firstFrame > 0 ? block[firstFrame - 1]! : '(no error line)';
      found.push({
        kind: 'stack-trace',
        signature: `stack trace on ${line.stream}: ${fold(head)} ${fold(block[firstFrame]!.trim())}`,
        excerpt,
        probe: line.probe,
        life: line.life,
      });
    } else {
      found.push({ kind: 'unstructured', signature: `non-JSON line on ${line.stream}: ${fold(line.text)}`, excerpt, probe: line.probe, life: line.life });
    }
  }
  return found;
}

export function parseJsonLine(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Where in a parsed log line the marker sits: `mode`, `err.message`, … */
function markerPaths(value: unknown, marker: string, at = ''): string[] {
  if (typeof value === 'string') return value.includes(marker) ? [at || '(value)'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => markerPaths(v, marker, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes(marker) ? [`${at}${at ? '.' : ''}${k} (key)`] : []),
      ...markerPaths(v, marker, at ? `${at}.${k}` : k),
    ]);
  }
  return [];
}

/** Numbers, ids, paths and quoted values folded, so one problem has one signature. */
export function fold(text: string): string {
  return (
    text
      // An error quoting the value it choked on ("Cannot create property 'role' on string 'x'").
      .replace(/\b(on|of) (string|number|boolean|symbol|bigint) '[^']*'/g, "$1 $2 '…'")
      .replace(/\(node:\d+\)/g, '(node:PID)')
      .replace(/\/[^\s():]*\//g, '…/')
      .replace(/:\d+:\d+/g, ':L:C')
      // Ids and tokens: long runs with a digit in them (names such as validateAndFixActivity stay).
      .replace(/(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{22,}/g, '…')
      .replace(/\d{4,}/g, 'N')
      .slice(0, 160)
  );
}

export function shorten(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
