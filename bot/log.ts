// Structured JSON logs. Citizens' message text never goes here: log ids, kinds and figures only.
// The serializers below are the one boundary every log line passes: an error becomes its name,
// code and where it was thrown (never its message, which may quote what was sent), and ids that
// are not of our own making are logged as a short hash.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pino, destination, type Logger } from 'pino';

export type { Logger };

/** What a log line may say of an error: its name, its code, and the first frame in our code. */
export interface ErrorFields {
  name: string;
  code?: string;
  at?: string;
}

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

export function errorFields(err: unknown): ErrorFields {
  if (!(err instanceof Error)) return { name: err === null ? 'null' : typeof err };
  const code = (err as { code?: unknown }).code;
  // The frames, never the first line ("TypeError: <message>"): file and line say where, not what.
  const frame = err.stack?.split('\n').find((line) => line.includes(PROJECT_ROOT) && !line.includes('node_modules'));
  const at = frame === undefined ? undefined : /\((.*)\)$|at (.*)$/.exec(frame.trim());
  const location = at === undefined || at === null ? undefined : path.relative(PROJECT_ROOT, (at[1] ?? at[2] ?? '').replace(/^file:\/\//, ''));
  return { name: err.name, ...(typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? { code } : {}), ...(location ? { at: location } : {}) };
}

/** Ids we issue (Direct Line's base64url, UUIDs) are logged as they are; any other id as a stable short hash. */
const OWN_ID = /^(?:[A-Za-z0-9_-]{16,64}|dl_[A-Za-z0-9_-]{8,64})$/;

export function loggableId(id: unknown): string {
  if (typeof id !== 'string') return typeof id;
  return OWN_ID.test(id) ? id : `#${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

const serializers = {
  err: (err: unknown) => (err instanceof Error ? errorFields(err) : err),
  conversationId: loggableId,
  activityId: loggableId,
};

/** A JSON logger; command-line tools pass fd 2 so their standard output stays theirs. */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'padoms' },
      serializers,
      // A defensive net: if someone logs an activity by mistake, its text is removed.
      redact: { paths: ['text', '*.text', 'activity.text', 'message', '*.message'], censor: '[redacted]' },
    },
    destination(fd),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
