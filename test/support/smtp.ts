// A real SMTP server on loopback (smtp-server) that keeps what it receives: for testing case mail.
// It can refuse the first messages with a temporary error (451), as a mail server that is down or
// overloaded does, and refuse recipients for good (550), as a server does for a mailbox that does
// not exist.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtp {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** How many messages were refused so far. */
  refused: number;
  /** Refuse the next n messages (451). */
  failNext(n: number): void;
  /** Resolves with the next message accepted. */
  next(): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

export async function startSmtp(options: { failFirst?: number; unknownMailboxes?: readonly string[] } = {}): Promise<TestSmtp> {
  let failing = options.failFirst ?? 0;
  const waiting: ((mail: ReceivedMail) => void)[] = [];
  const state: { received: ReceivedMail[]; refused: number } = { received: [], refused: 0 };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS certificate to trust, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.unknownMailboxes?.includes(address.address)) {
        state.refused++;
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failing > 0) {
          failing--;
          state.refused++;
          const err = Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 });
          return callback(err);
        }
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        state.received.push(mail);
        waiting.shift()?.(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    get received() {
      return state.received;
    },
    get refused() {
      return state.refused;
    },
    failNext(n) {
      failing = n;
    },
    next() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    stop() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The decoded text part of a raw message (quoted-printable, UTF-8), good enough for assertions. */
export function textOf(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const m = /^=([0-9A-F]{2})/.exec(unfolded.slice(i, i + 3));
    if (m) {
      bytes.push(parseInt(m[1]!, 16));
      i += 2;
    } else bytes.push(...Buffer.from(unfolded[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
