// The staff pages' files (HTML, script, style), read once at start from bot/staff/public: beside
// this module when run from source, the source folder when run from dist/ (tsc copies no assets).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  type: string;
}

export function loadPageAssets(page: string, files: { html: string; js: string; css: string }): { html: Asset; js: Asset; css: Asset } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../../bot/staff/public')];
  const dir = candidates.find((d) => existsSync(path.join(d, files.js)));
  if (dir === undefined) throw new Error(`${page}: public folder not found (looked in ${candidates.join(', ')})`);
  const read = (file: string, type: string): Asset => ({ body: readFileSync(path.join(dir, file)), type });
  return {
    html: read(files.html, 'text/html; charset=utf-8'),
    js: read(files.js, 'text/javascript; charset=utf-8'),
    css: read(files.css, 'text/css; charset=utf-8'),
  };
}
