// What the installation is: its version (package.json) and its licences (LICENSE, and
// THIRD-PARTY-NOTICES.txt, which `npm run notices` writes from the lock file). All three live at
// the project root: two folders up from here when run from the sources, three when built (dist/).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The generated notices, at the project root. */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';
/** Where the bot serves the notices and its own licence (linked from its pages). */
export const NOTICES_PATH = '/third-party-notices.txt';
export const LICENCE_PATH = '/licence.txt';

const PROJECT = 'padoms';

/** The project root: the folder whose package.json is Padoms'. */
function projectRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../..'), path.resolve(here, '../../..')];
  const found = candidates.find((dir) => {
    const manifest = path.join(dir, 'package.json');
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PROJECT;
  });
  if (found === undefined) throw new Error(`web: the project's package.json not found (looked in ${candidates.join(', ')})`);
  return found;
}

let root: string | undefined;

/** A file at the project root; a missing one stops the start (an installation without its notices is not fit to serve). */
export function projectFile(name: string): string {
  root ??= projectRoot();
  const file = path.join(root, name);
  if (!existsSync(file)) throw new Error(`web: ${file} is missing${name === NOTICES_FILE ? ' (npm run notices writes it)' : ''}`);
  return file;
}

let version: string | undefined;

/** The version in package.json, as /healthz reports it. */
export function packageVersion(): string {
  version ??= String((JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  return version;
}
