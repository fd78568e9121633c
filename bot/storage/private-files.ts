// Files under DATA_DIR hold citizens' conversations and the key that signs their tokens: only the
// bot's own user may read them, whatever the umask of the shell that started it.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (owner only) if missing; an existing folder is the operator's and keeps its mode. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Makes the file exist with owner-only permissions, tightening an existing one. SQLite creates its
 * -wal and -shm files with the database file's permissions, so doing this to the database first
 * covers them too; existing ones are tightened here as well.
 */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, PRIVATE_FILE_MODE);
  }
}

/**
 * A random secret generated once and kept in `dataDir/name` (mode 0600), so that what it signs
 * outlives a restart. Two processes starting together agree: only one creation can succeed (`wx`),
 * the other reads what the first wrote.
 */
export function keptSecret(dataDir: string, name: string, bytes: number): Buffer {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, name);
  try {
    writeFileSync(file, randomBytes(bytes).toString('base64'), { flag: 'wx', mode: PRIVATE_FILE_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  ensurePrivateFile(file);
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length < bytes) {
    throw new KeptSecretError(
      `${file} holds ${secret.length} bytes, expected ${bytes} (base64): remove it to have a new one made, which ends every open conversation's token`,
    );
  }
  return secret;
}

export class KeptSecretError extends Error {
  override name = 'KeptSecretError';
}
