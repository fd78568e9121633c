// The staff pages' files (HTML, script, style), read once at start from bot/staff/public: beside
// this module when run from source, the source folder when run from dist/ (tsc copies no assets);
// and how they are sent, with the console's security headers.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type restify from 'restify';
import { PAGE_HEADERS, pageContentSecurityPolicy } from '../http/security-headers.js';

export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Reads a page's files by name (`{ html: 'index.html', … }`); the type follows the extension. */
export function loadPageAssets<Name extends string>(page: string, files: Record<Name, string>): Record<Name, Asset> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../../bot/staff/public')];
  const names = Object.values<string>(files);
  const dir = candidates.find((d) => names.every((file) => existsSync(path.join(d, file))));
  if (dir === undefined) throw new Error(`${page}: public folder not found (looked in ${candidates.join(', ')})`);
  const read = (file: string): Asset => {
    const type = TYPES[path.extname(file)];
    if (type === undefined) throw new Error(`${page}: no content type for ${file}`);
    return { body: readFileSync(path.join(dir, file)), type };
  };
  return Object.fromEntries(Object.entries<string>(files).map(([name, file]) => [name, read(file)])) as Record<Name, Asset>;
}

/** Our page: scripts and styles from this origin only, nothing inline, never framed. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'Content-Security-Policy': pageContentSecurityPolicy(),
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** One of the staff pages' files: the page itself never cached, its scripts and styles revalidated. */
export function sendStaffAsset(res: restify.Response, asset: Asset): void {
  res.writeHead(200, {
    'Content-Type': asset.type,
    'Content-Length': String(asset.body.length),
    'Cache-Control': asset.type.startsWith('text/html') ? 'no-store' : 'no-cache',
    ...CONSOLE_SECURITY_HEADERS,
  });
  res.end(asset.body);
}
