// The embeddable chat: the widget script and its CSS, Web Chat itself (served from node_modules,
// compressed once, cacheable, so nothing comes from a CDN), and the demo pages: each agency's at
// GET /<agency>/, and at GET / the list of agencies (or, with only one, that agency's page). The
// pages link Padoms' licence (/licence.txt) and the third-party notices (/third-party-notices.txt).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, gzip as gzipCallback, constants as zlibConstants } from 'node:zlib';
import type restify from 'restify';
import type { AgencyProfile } from '../../knowledge/schema.js';
import type { AgencyDirectory } from '../agencies.js';
import { errorFields, type Logger } from '../log.js';
import { PAGE_HEADERS, pageContentSecurityPolicy } from '../http/security-headers.js';
import { LICENCE_PATH, NOTICES_FILE, NOTICES_PATH, projectFile } from './about.js';

const gzip = promisify(gzipCallback);

/** The agencies the pages show, read on every request: reloads, agencies added or removed. */
/** The agencies served, in the order the front page lists them, each with its profile. */
export type PageAgencies = Pick<AgencyDirectory, 'ids' | 'profile'>;

export interface WebChatDeps {
  agencies: PageAgencies;
  log: Logger;
}

/** An agency as a page shows it: its id (its path and the widget's `data-agency`) and its profile. */
export interface PageAgency {
  id: string;
  profile: AgencyProfile;
}

/**
 * A file held in memory with its validators, ready to send: as it is (with a gzipped copy where that
 * pays), or only gzipped, unzipped for a request that does not accept gzip (Web Chat: browsers all do,
 * and its 3.7 MB as is would stay in memory for nobody).
 */
type Asset = { etag: string; contentType: string; cacheControl: string } & (
  { body: Buffer; gzipped?: Buffer } | { body?: undefined; gzipped: Buffer; bytes: number }
);

const SCRIPT_TYPE = 'text/javascript; charset=utf-8';
const CSS_TYPE = 'text/css; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
/** Our own scripts and styles: short, so agencies pick up fixes; revalidation is a cheap 304. */
const SHORT_CACHE = 'public, max-age=300';
/** Web Chat requested with ?v=<its version>: the URL changes when the version does. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
const UNVERSIONED_CACHE = 'public, max-age=3600';

/**
 * Headers for anything a foreign page loads (<script>, <link>): nosniff, and readable cross-origin
 * (CORP for sites with COEP, ACAO for fetch or crossorigin="anonymous" loads). No credentials.
 */
const EMBEDDABLE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Allow-Origin': '*',
} as const;

export function mountWebChat(server: restify.Server, deps: WebChatDeps): void {
  const { agencies, log } = deps;
  const publicDir = findPublicDir();
  const webChat = locateWebChat();

  const widget = textAsset(readFileSync(path.join(publicDir, 'widget.js'), 'utf8').replaceAll('__WEBCHAT_VERSION__', webChat.version), SCRIPT_TYPE);
  const widgetCss = textAsset(readFileSync(path.join(publicDir, 'widget.css'), 'utf8'), CSS_TYPE);
  const pageCss = textAsset(readFileSync(path.join(publicDir, 'page.css'), 'utf8'), CSS_TYPE);
  const template = readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  const listTemplate = readFileSync(path.join(publicDir, 'agencies.html'), 'utf8');
  const notFoundPage = Buffer.from(readFileSync(path.join(publicDir, 'not-found.html'), 'utf8'), 'utf8');
  // Found at start (a missing file stops it), read and compressed on the first request.
  const licenceFile = projectFile('LICENSE');
  const noticesFile = projectFile(NOTICES_FILE);

  /** The agencies served now, with their profiles (one without a profile is not shown). */
  const served = (): PageAgency[] =>
    agencies.ids().flatMap((id) => {
      const profile = agencies.profile(id);
      return profile === undefined ? [] : [{ id, profile }];
    });
  // Re-rendered only when a profile object changes (a reload), not per request.
  const renderedPages = new Map<string, { profile: AgencyProfile; body: Buffer }>();
  const agencyPage = ({ id, profile }: PageAgency): Buffer => {
    let rendered = renderedPages.get(id);
    if (rendered?.profile !== profile) renderedPages.set(id, (rendered = { profile, body: Buffer.from(renderPage(template, { id, profile }), 'utf8') }));
    return rendered.body;
  };
  let renderedList: { shown: PageAgency[]; body: Buffer } | undefined;
  const listPage = (shown: PageAgency[]): Buffer => {
    const cached = renderedList;
    const same = cached?.shown.length === shown.length && cached.shown.every((a, i) => a.id === shown[i]?.id && a.profile === shown[i]?.profile);
    if (cached !== undefined && same) return cached.body;
    renderedList = { shown, body: Buffer.from(renderAgencyList(listTemplate, shown), 'utf8') };
    return renderedList.body;
  };
  /** With one agency the front page is its page: a list of one would only be a click more. */
  const frontPage = (): Buffer => {
    const shown = served();
    return shown.length === 1 && shown[0] !== undefined ? agencyPage(shown[0]) : listPage(shown);
  };
  frontPage(); // a bad template or profile fails at start, not on the first visit
  for (const agency of served()) agencyPage(agency);

  const sendPage = (res: restify.Response, status: number, body: Buffer) => {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-cache',
      ...PAGE_SECURITY_HEADERS,
    });
    res.end(body);
  };

  // 3.9 MB read and gzip-compressed once, off the event loop; the first request waits for it. Only
  // the gzipped bytes are kept (see Asset).
  let webChatAsset: Promise<Asset> | undefined;
  const loadWebChat = (): Promise<Asset> => {
    webChatAsset ??= (async () => {
      const started = Date.now();
      const body = await readFile(webChat.file);
      const gzipped = await gzip(body, { level: zlibConstants.Z_BEST_COMPRESSION });
      log.info({ bytes: body.length, gzipBytes: gzipped.length, ms: Date.now() - started }, 'bundle ready');
      return { gzipped, bytes: body.length, etag: etagOf(body), contentType: SCRIPT_TYPE, cacheControl: IMMUTABLE_CACHE };
    })().catch((err: unknown) => {
      webChatAsset = undefined;
      throw err;
    });
    return webChatAsset;
  };
  void loadWebChat().catch((err: unknown) => log.error({ err: errorFields(err) }, 'bundle not loaded'));

  server.get('/', async function frontPageRoute(_req: restify.Request, res: restify.Response) {
    sendPage(res, 200, frontPage());
  });

  // One path segment with its slash: the static routes (/staff/, /widget.js, …) take precedence.
  server.get('/:agency/', async function agencyPageRoute(req: restify.Request, res: restify.Response) {
    const id = String((req.params as Record<string, unknown>)['agency'] ?? '');
    const profile = agencies.ids().includes(id) ? agencies.profile(id) : undefined;
    if (profile === undefined) return sendPage(res, 404, notFoundPage);
    sendPage(res, 200, agencyPage({ id, profile }));
  });

  server.get('/widget.js', async function widgetScript(req: restify.Request, res: restify.Response) {
    sendAsset(req, res, widget);
  });
  server.get('/widget.css', async function widgetStyles(req: restify.Request, res: restify.Response) {
    sendAsset(req, res, widgetCss);
  });
  server.get('/assets/page.css', async function pageStyles(req: restify.Request, res: restify.Response) {
    sendAsset(req, res, pageCss);
  });

  // Plain text under the default CSP (default-src 'none'): nothing in them runs.
  const licence = lazyText(licenceFile);
  const notices = lazyText(noticesFile);
  // The bundle's first line points to this file, its licence comments, beside it.
  const webChatLicence = lazyText(webChat.licenceFile);
  server.get(LICENCE_PATH, async function licenceText(req: restify.Request, res: restify.Response) {
    sendAsset(req, res, await licence());
  });
  server.get(NOTICES_PATH, async function thirdPartyNotices(req: restify.Request, res: restify.Response) {
    sendAsset(req, res, await notices());
  });

  server.get('/webchat/webchat.js.LICENSE.txt', async function webChatLicenceComments(req: restify.Request, res: restify.Response) {
    sendAsset(req, res, await webChatLicence());
  });

  server.get('/webchat/webchat.js', async function webChatScript(req: restify.Request, res: restify.Response) {
    let asset: Asset;
    try {
      asset = await loadWebChat();
    } catch {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5', ...EMBEDDABLE_HEADERS });
      res.end('Web Chat is not available');
      return;
    }
    const versioned = (req.query as Record<string, unknown> | undefined)?.['v'] === webChat.version;
    sendAsset(req, res, versioned ? asset : { ...asset, cacheControl: UNVERSIONED_CACHE });
  });

  // Preflight for scripts loaded with crossorigin="anonymous".
  server.pre(function webChatPreflight(req: restify.Request, res: restify.Response, next: restify.Next) {
    const p = req.getPath();
    if (req.method !== 'OPTIONS' || !(p.startsWith('/webchat/') || p === '/widget.js' || p === '/widget.css')) return next();
    res.writeHead(204, { ...EMBEDDABLE_HEADERS, 'Access-Control-Allow-Methods': 'GET, OPTIONS', 'Access-Control-Max-Age': '600' });
    res.end();
    return next(false);
  });
}

/**
 * The hash of an empty string, for `style-src`. Web Chat (emotion, react-scroll-to-bottom) adds
 * empty <style> elements and fills them through CSSOM insertRule, which CSP does not police; only
 * the empty element itself needs allowing. Web Chat 4.18 forwards a `nonce` prop to most of its
 * style caches but not to one react-scroll-to-bottom cache, so a nonce alone is not enough; this
 * hash covers all of them and admits no inline style with content.
 */
export const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

/**
 * Headers for HTML we serve. The CSP was checked in Chromium with the widget open and a
 * conversation running (test/webchat.browser.test.ts fails on any violation): Web Chat 4.18 needs
 * no 'unsafe-eval' (its `Function("return this")` fallbacks are not reached in a browser with
 * globalThis) and no 'unsafe-inline'.
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'Content-Security-Policy': pageContentSecurityPolicy({ 'style-src': EMPTY_STYLE_HASH, 'img-src': 'data: blob:', 'font-src': 'data:' }),
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

/** The agency page, with every profile value HTML-escaped; its widget speaks for that agency. */
export function renderPage(template: string, { id, profile }: PageAgency): string {
  const c = profile.contacts;
  const contactRows: [string, string | undefined][] = [
    ['Adrese', c.address === undefined ? undefined : escapeHtml(c.address)],
    ['Tālrunis', c.phone === undefined ? undefined : `<a href="tel:${escapeHtml(c.phone.replace(/\s+/g, ''))}">${escapeHtml(c.phone)}</a>`],
    ['E-pasts', c.email === undefined ? undefined : `<a href="mailto:${escapeHtml(c.email)}">${escapeHtml(c.email)}</a>`],
    ['E-adrese', c.eAddress === undefined ? undefined : escapeHtml(c.eAddress)],
    ['Tīmekļvietne', c.website === undefined ? undefined : `<a href="${escapeHtml(c.website)}">${escapeHtml(c.website.replace(/^https?:\/\//, ''))}</a>`],
    ['Darba laiks', c.hours === undefined ? undefined : escapeHtml(c.hours.lv)],
  ];
  const contacts = contactRows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([term, value]) => `        <dt>${term}</dt>\n        <dd>${value}</dd>`)
    .join('\n');
  const topics = profile.topics.lv.map((topic) => `        <li>${escapeHtml(capitalise(topic))}</li>`).join('\n');
  const values: Record<string, string> = {
    name: escapeHtml(profile.name.lv),
    description: escapeHtml(firstSentence(profile.competence.lv)),
    intro: escapeHtml(profile.competence.lv),
    topics,
    contacts,
    agency: escapeHtml(id),
    home: escapeHtml(agencyPath(id)),
  };
  return template.replace(/\{\{(name|description|intro|topics|contacts|agency|home)\}\}/g, (_m, key: string) => values[key] ?? '');
}

/** The front page's list: each agency's name, linked to its page, and what it does. */
export function renderAgencyList(template: string, shown: readonly PageAgency[]): string {
  const items = shown.map(
    ({ id, profile }) =>
      `      <li><a href="${escapeHtml(agencyPath(id))}">${escapeHtml(profile.name.lv)}</a>\n        <p>${escapeHtml(firstSentence(profile.competence.lv))}</p></li>`,
  );
  const list = items.length === 0 ? '      <li>Pašlaik neviena iestāde netiek apkalpota.</li>' : items.join('\n');
  return template.replace('{{agencies}}', list);
}

/** Where an agency's page is. */
export function agencyPath(id: string): string {
  return `/${encodeURIComponent(id)}/`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase('lv') + text.slice(1);
}

function firstSentence(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

function textAsset(text: string, contentType: string): Asset {
  const body = Buffer.from(text, 'utf8');
  return { body, etag: etagOf(body), contentType, cacheControl: SHORT_CACHE };
}

/** A text file read and gzip-compressed once, on first use (a failed read is tried again). */
function lazyText(file: string): () => Promise<Asset> {
  let asset: Promise<Asset> | undefined;
  return () => {
    asset ??= (async () => {
      const body = await readFile(file);
      return { body, gzipped: await gzip(body), etag: etagOf(body), contentType: TEXT_TYPE, cacheControl: SHORT_CACHE };
    })().catch((err: unknown) => {
      asset = undefined;
      throw err;
    });
    return asset;
  };
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

function sendAsset(req: restify.Request, res: restify.Response, asset: Asset): void {
  const useGzip = asset.gzipped !== undefined && acceptsGzip(req.header('accept-encoding', ''));
  // Each representation has its own strong validator.
  const etag = useGzip ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag;
  const headers: Record<string, string> = {
    'Content-Type': asset.contentType,
    'Cache-Control': asset.cacheControl,
    ETag: etag,
    ...EMBEDDABLE_HEADERS,
    ...(asset.gzipped === undefined ? {} : { Vary: 'Accept-Encoding' }),
  };
  if (matchesEtag(req.header('if-none-match', ''), etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (!useGzip && asset.body === undefined) {
    // Only gzipped: unzipped as it is sent, so a client that reads slowly holds a chunk, not the whole
    // file (a copy unzipped per request was 3.9 MB each; forty such clients, 180 MB).
    res.writeHead(200, { ...headers, 'Content-Length': String(asset.bytes) });
    pipeline(Readable.from([asset.gzipped]), createGunzip(), res, () => {
      // A client gone mid-way ends the pipeline; nothing to tell it.
    });
    return;
  }
  const body = useGzip && asset.gzipped !== undefined ? asset.gzipped : asset.body!;
  res.writeHead(200, { ...headers, 'Content-Length': String(body.length), ...(useGzip ? { 'Content-Encoding': 'gzip' } : {}) });
  res.end(body);
}

function acceptsGzip(header: string): boolean {
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function matchesEtag(header: string, etag: string): boolean {
  if (header === '') return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** bot/web/public next to this file, or — when running from dist/ — the source folder. */
function findPublicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../../bot/web/public')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'widget.js')));
  if (found === undefined) throw new Error(`web: public folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

function locateWebChat(): { file: string; licenceFile: string; version: string } {
  const require = createRequire(import.meta.url);
  // The package's "exports" hide package.json; its CommonJS entry is lib/index.js.
  const packageDir = path.resolve(path.dirname(require.resolve('botframework-webchat')), '..');
  const pkg = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version?: unknown };
  const file = path.join(packageDir, 'dist', 'webchat.js');
  const licenceFile = path.join(packageDir, 'dist', 'webchat.js.LICENSE.txt');
  for (const needed of [file, licenceFile]) if (!existsSync(needed)) throw new Error(`web: ${needed} is missing`);
  return { file, licenceFile, version: typeof pkg.version === 'string' ? pkg.version : 'unknown' };
}
