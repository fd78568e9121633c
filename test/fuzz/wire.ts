// HTTP/1.1 and WebSocket frames on raw node:net sockets: the fuzzer sends its requests byte for byte
// (fetch and node:http refuse the malformed ones) and reads whatever comes back, within a deadline.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** What became of one exchange on one connection. */
export type Outcome =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer; ms: number; streaming: boolean }
  /** The connection ended (or was reset) before a whole response head arrived. */
  | { kind: 'closed'; ms: number; bytes: number }
  /** Nothing complete within the deadline: the server hangs (or waits for bytes it will never get). */
  | { kind: 'timeout'; ms: number; bytes: number }
  /** No connection at all: the server is down. */
  | { kind: 'refused'; ms: number; error: string };

export interface Exchange {
  port: number;
  /** Written in order, `pauseMs` apart. */
  chunks: Buffer[];
  pauseMs?: number;
  /** End the write side after the last chunk (the server then knows no more bytes come). */
  halfClose?: boolean;
  timeoutMs: number;
  /** The request's method: a HEAD response has no body. */
  method?: string;
  /** After a 101 head: what to do on the upgraded socket; its result is kept in `upgraded`. */
  onUpgrade?: (socket: Socket, rest: Buffer, deadline: number) => Promise<UpgradeResult>;
}

export interface UpgradeResult {
  /** Frames the server sent. */
  frames: ServerFrame[];
  /** How the connection ended within the deadline; `open` = still open at the deadline (a hang). */
  ended: 'closed' | 'open' | 'destroyed-by-us';
  /** A problem with what the server sent (not a protocol error of ours). */
  problem?: string;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** How long an event stream (text/event-stream) is read before the client hangs up. */
const EVENT_STREAM_READ_MS = 200;

/** Sends an exchange and resolves with its outcome, never later than the deadline (plus a little). */
export function exchange(x: Exchange): Promise<Outcome & { upgraded?: UpgradeResult }> {
  const started = Date.now();
  const deadline = started + x.timeoutMs;
  return new Promise((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    let headParsed: { status: number; headers: Record<string, string>; bodyStart: number } | undefined;
    let connected = false;
    let upgrading = false;
    const socket = connect({ port: x.port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const finish = (outcome: Outcome & { upgraded?: UpgradeResult }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (!socket.destroyed) socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      if (headParsed && isBodyless(x.method, headParsed.status)) return finish(response(true));
      finish({ kind: 'timeout', ms: Date.now() - started, bytes: received.length });
    }, x.timeoutMs);
    const response = (streaming: boolean): Outcome => ({
      kind: 'response',
      status: headParsed!.status,
      headers: headParsed!.headers,
      body: decodeBody(received.subarray(headParsed!.bodyStart), headParsed!.headers),
      ms: Date.now() - started,
      streaming,
    });

    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (;;) {
        if (!headParsed) {
          const end = received.indexOf(HEAD_END);
          if (end === -1) return;
          const head = parseHead(received.subarray(0, end).toString('latin1'));
          if (head === undefined) return finish({ kind: 'closed', ms: Date.now() - started, bytes: received.length });
          // Interim responses (100 Continue) come before the real one.
          if (head.status >= 100 && head.status < 200 && head.status !== 101) {
            received = received.subarray(end + 4);
            continue;
          }
          headParsed = { ...head, bodyStart: end + 4 };
          if (head.status === 101 && x.onUpgrade) {
            socket.removeListener('data', onData);
            clearTimeout(timer);
            upgrading = true;
            const rest = received.subarray(end + 4);
            void x.onUpgrade(socket, rest, deadline).then((upgraded) => {
              settled = true;
              if (!socket.destroyed) socket.destroy();
              resolve({ ...response(false), upgraded });
            });
            return;
          }
          if (isBodyless(x.method, head.status)) return finish(response(false));
          if ((head.headers['content-type'] ?? '').startsWith('text/event-stream')) {
            setTimeout(() => finish(response(true)), EVENT_STREAM_READ_MS);
            return;
          }
        }
        if (bodyComplete(received.subarray(headParsed.bodyStart), headParsed.headers)) return finish(response(false));
        return;
      }
    };
    socket.on('data', onData);
    socket.on('connect', () => {
      connected = true;
      void write();
    });
    const ended = () => {
      if (settled || upgrading) return;
      if (headParsed) return finish(response(false));
      finish({ kind: 'closed', ms: Date.now() - started, bytes: received.length });
    };
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (upgrading) return;
      if (!connected) return finish({ kind: 'refused', ms: Date.now() - started, error: err.code ?? err.message });
      ended();
    });

    const write = async () => {
      for (const [i, chunk] of x.chunks.entries()) {
        if (settled || socket.destroyed) return;
        if (i > 0 && (x.pauseMs ?? 0) > 0) await sleep(x.pauseMs ?? 0);
        if (settled || socket.destroyed) return;
        socket.write(chunk);
      }
      if (x.halfClose && !settled && !socket.destroyed) socket.end();
    };
  });
}

function isBodyless(method: string | undefined, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

function parseHead(text: string): { status: number; headers: Record<string, string> } | undefined {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (match === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(match[1]), headers };
}

function bodyComplete(body: Buffer, headers: Record<string, string>): boolean {
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) return dechunk(body) !== undefined;
  const length = headers['content-length'];
  if (length !== undefined) return body.length >= Number(length);
  return false; // read until the server closes
}

function decodeBody(body: Buffer, headers: Record<string, string>): Buffer {
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) return dechunk(body) ?? body;
  const length = headers['content-length'];
  return length === undefined ? body : body.subarray(0, Number(length));
}

/** A chunked body decoded; undefined while the last chunk has not arrived. */
function dechunk(body: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return body.indexOf('\r\n', lineEnd + 2) === -1 ? undefined : Buffer.concat(parts);
    if (body.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- requests ----

/** One request's bytes: request line, headers as given (no normalising), blank line, body. */
export function requestBytes(method: string, target: string, headers: readonly (readonly [string, string])[], body: Buffer | undefined): Buffer {
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return body === undefined ? Buffer.from(head, 'utf8') : Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

// ---- WebSocket (RFC 6455) ----

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const WS_KEY = 'ZnV6ei1wYWRvbXMtMTIzNA==';
const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

export interface FrameSpec {
  fin: boolean;
  /** RSV1–3 bits (0–7); anything but 0 is a protocol error without an extension. */
  rsv: number;
  opcode: number;
  /** Clients must mask; an unmasked frame is a protocol error. */
  masked: boolean;
  payload: Buffer;
  /** Announce this length instead of the payload's (a truncated or impossible frame). */
  declaredLength?: number;
}

export function encodeFrame(f: FrameSpec): Buffer {
  const length = f.declaredLength ?? f.payload.length;
  const first = (f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f);
  const maskBit = f.masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, maskBit | length]);
  else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!f.masked) return Buffer.concat([header, f.payload]);
  const masked = Buffer.from(f.payload);
  for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ MASK[i % 4]!;
  return Buffer.concat([header, MASK, masked]);
}

export function closeFrame(code = 1000): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return encodeFrame({ fin: true, rsv: 0, opcode: 8, masked: true, payload });
}

/** Server frames (unmasked) parsed from a buffer; `rest` is an incomplete tail. */
export function parseServerFrames(buffer: Buffer): { frames: ServerFrame[]; rest: Buffer; problem?: string } {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (buffer.length - at >= 2) {
    const b0 = buffer[at]!;
    const b1 = buffer[at + 1]!;
    if ((b1 & 0x80) !== 0) return { frames, rest: Buffer.alloc(0), problem: 'the server sent a masked frame' };
    let length = b1 & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (buffer.length - at < 4) break;
      length = buffer.readUInt16BE(at + 2);
      offset = at + 4;
    } else if (length === 127) {
      if (buffer.length - at < 10) break;
      length = Number(buffer.readBigUInt64BE(at + 2));
      offset = at + 10;
    }
    if (buffer.length < offset + length) break;
    frames.push({ opcode: b0 & 0x0f, payload: buffer.subarray(offset, offset + length) });
    at = offset + length;
  }
  return { frames, rest: buffer.subarray(at) };
}
