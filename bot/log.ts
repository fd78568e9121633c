// Structured JSON logs. Citizens' message text never goes here: log ids, kinds and figures only.
import { pino, destination, type Logger } from 'pino';

export type { Logger };

/** A JSON logger; command-line tools pass fd 2 so their standard output stays theirs. */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  return pino({
    level,
    base: { service: 'padoms' },
    // A defensive net: if someone logs an activity by mistake, its text is removed.
    redact: { paths: ['text', '*.text', 'activity.text', 'message'], censor: '[redacted]' },
  }, destination(fd));
}

export const silentLogger: Logger = pino({ level: 'silent' });
