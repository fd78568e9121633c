// Sends one probe to a running server: placeholders filled from the server's context (a live
// conversation, tokens signed with the server's key, the staff session), every request answered or
// timed out, and what came back checked where the protocol says what must come back.
import { createHmac } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import {
  acceptFor,
  closeFrame,
  encodeFrame,
  exchange,
  parseServerFrames,
  requestBytes,
  sleep,
  WS_KEY,
  type Outcome,
  type ServerFrame,
  type UpgradeResult,
} from './wire.js';
import { endpointOf, renderBody, renderPayload, type ChurnProbe, type HttpProbe, type Probe, type RawProbe, type StreamProbe } from './probes.js';

export interface Conversation {
  id: string;
  token: string;
  userId: string;
}

/** What placeholders stand for on one server. */
export interface Context {
  port: number;
  conv: Conversation;
  other: Conversation;
  tokenKey: string;
  directLineSecret: string;
  verifyToken: string;
  appSecret: string;
  metricsToken: string;
  connectorUrl: string;
  staff?: { cookie: string; token: string; csrf: string };
}

export interface RequestResult {
  endpoint: string;
  outcome: Outcome;
  /** For hang signatures: a known hang gets a short deadline (see knownHang in runner.ts). */
  key: string;
}

export interface ProbeRun {
  requests: RequestResult[];
  /** A response that breaks the protocol (not a status: those are judged by the runner). */
  problems: { endpoint: string; problem: string }[];
}

export interface ExecuteOptions {
  timeoutMs: number;
  /** A shorter deadline for a request whose hang is already known. */
  deadlineFor?: (key: string) => number;
}

export async function execute(probe: Probe, ctx: Context, options: ExecuteOptions): Promise<ProbeRun> {
  const run: ProbeRun = { requests: [], problems: [] };
  const deadline = (key: string) => options.deadlineFor?.(key) ?? options.timeoutMs;
  switch (probe.kind) {
    case 'http':
      await sendHttp(probe, ctx, deadline, run);
      break;
    case 'raw':
      await sendRaw(probe, ctx, deadline, run);
      break;
    case 'stream':
      await sendStream(probe, ctx, deadline, run);
      break;
    case 'churn':
      await churn(probe, ctx, options.timeoutMs, run);
      break;
    case 'burst': {
      const all = probe.requests.flatMap((r) => Array.from({ length: probe.copies }, () => r));
      await Promise.all(all.map((r) => sendHttp(r, ctx, deadline, run)));
      for (const r of run.requests) {
        // The rate limiter's refusals say when to come back (README: "429 with Retry-After").
        const o = r.outcome;
        if (o.kind === 'response' && o.status === 429 && o.body.toString('utf8').includes('"TooManyRequests"') && o.headers['retry-after'] === undefined) {
          run.problems.push({ endpoint: r.endpoint, problem: 'a rate-limit 429 without Retry-After' });
        }
      }
      break;
    }
  }
  return run;
}

// ---- placeholders ----

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A Direct Line token as bot/directline/tokens.ts issues them (HS256 JWT), signed here independently. */
export function signToken(key: string, claims: { iss: string; conv: string; user: string; iat: number; exp: number }, alg = 'HS256'): string {
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return alg === 'none' ? `${input}.` : `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const CONVERSATION_ISSUER = 'padoms-directline';
const STREAM_ISSUER = 'padoms-directline-stream';
/**
 * A stream URL opens one socket, so every stream token signed here differs: iat and exp vary
 * within their limits (iat up to 29 s back, exp 41–60 s after it), each pair used once.
 */
const usedStreamClaims = new Set<string>();

function freshStreamTimes(conversationId: string, now: number): { iat: number; exp: number } {
  for (let back = 0; back < 30; back++) {
    for (let shorter = 0; shorter < 20; shorter++) {
      const iat = now - back;
      const exp = iat + 60 - shorter;
      const key = `${conversationId} ${iat} ${exp}`;
      if (usedStreamClaims.has(key)) continue;
      usedStreamClaims.add(key);
      return { iat, exp };
    }
  }
  throw new Error('more than 600 stream tokens in a second');
}

function placeholder(name: string, ctx: Context): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  const token = (c: Conversation, iss: string, iat: number, exp: number) => signToken(ctx.tokenKey, { iss, conv: c.id, user: c.userId, iat, exp });
  switch (name) {
    case 'conv':
      return ctx.conv.id;
    case 'token':
      return ctx.conv.token;
    case 'other':
      return ctx.other.id;
    case 'otherToken':
      return ctx.other.token;
    case 'secret':
      return ctx.directLineSecret;
    case 'verify':
      return ctx.verifyToken;
    case 'metricsToken':
      return ctx.metricsToken;
    case 'nowMs':
      return String(Date.now());
    case 'host':
      return `127.0.0.1:${ctx.port}`;
    case 'connector':
      return ctx.connectorUrl;
    case 'session':
      return ctx.staff?.cookie ?? '';
    case 'sessionToken':
      return ctx.staff?.token ?? '';
    case 'csrf':
      return ctx.staff?.csrf ?? '';
    case 'streamToken':
    case 'otherStream': {
      const c = name === 'streamToken' ? ctx.conv : ctx.other;
      const { iat, exp } = freshStreamTimes(c.id, now);
      return token(c, STREAM_ISSUER, iat, exp);
    }
    case 'expiredToken':
      return token(ctx.conv, CONVERSATION_ISSUER, now - 4_000, now - 2_000);
    case 'expiredStream':
      return token(ctx.conv, STREAM_ISSUER, now - 400, now - 200);
    case 'ghostToken':
      return signToken(ctx.tokenKey, { iss: CONVERSATION_ISSUER, conv: 'GhostGhostGhost0000000', user: 'dl_ghostghost', iat: now, exp: now + 600 });
    case 'noneAlgToken':
      return signToken(ctx.tokenKey, { iss: CONVERSATION_ISSUER, conv: ctx.conv.id, user: ctx.conv.userId, iat: now, exp: now + 600 }, 'none');
    default:
      return undefined;
  }
}

export function fill(text: string, ctx: Context): string {
  if (!text.includes('{{')) return text;
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => placeholder(name, ctx) ?? whole);
}

// ---- HTTP ----

async function sendHttp(probe: HttpProbe, ctx: Context, deadline: (key: string) => number, run: ProbeRun): Promise<void> {
  const body = probe.body === undefined ? undefined : Buffer.from(fill(renderBody(probe.body).toString('utf8'), ctx), 'utf8');
  const bodyBytes = probe.body !== undefined && 'hex' in probe.body ? renderBody(probe.body) : body;
  const signature = `sha256=${createHmac('sha256', ctx.appSecret)
    .update(bodyBytes ?? Buffer.alloc(0))
    .digest('hex')}`;
  const headers: [string, string][] = probe.headers.map(([n, v]) => [fill(n, ctx), fill(v, ctx).replaceAll('{{sig}}', signature)]);
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!probe.noHost && !has('host')) headers.unshift(['Host', `127.0.0.1:${ctx.port}`]);
  if (!has('connection')) headers.push(['Connection', 'close']);
  if (probe.length !== undefined && probe.length !== 'omit') headers.push(['Content-Length', probe.length]);
  else if (probe.length === undefined && bodyBytes !== undefined && !has('content-length') && !has('transfer-encoding'))
    headers.push(['Content-Length', String(bodyBytes.length)]);
  const bytes = requestBytes(probe.method, fill(probe.target, ctx), headers, bodyBytes);
  const endpoint = endpointOf(probe);
  const upgrade = headers.some(([n, v]) => n.toLowerCase() === 'upgrade' && v !== '');
  const key = `http ${endpoint}`;
  const timeoutMs = deadline(key);
  const outcome = await exchange({
    port: ctx.port,
    chunks: probe.pieces === undefined ? [bytes] : split(bytes, probe.pieces),
    pauseMs: probe.pieces === undefined ? 0 : 5,
    halfClose: probe.halfClose ?? false,
    timeoutMs,
    method: probe.method,
    ...(upgrade ? { onUpgrade: (socket, rest, until) => closeUpgraded(socket, rest, until) } : {}),
  });
  run.requests.push({ endpoint, outcome, key });
  if (outcome.kind === 'response' && outcome.status === 101) {
    const sentKey = headers.find(([n]) => n.toLowerCase() === 'sec-websocket-key')?.[1];
    if (sentKey === WS_KEY && outcome.headers['sec-websocket-accept'] !== acceptFor(WS_KEY))
      run.problems.push({ endpoint, problem: '101 with a wrong Sec-WebSocket-Accept' });
    checkUpgraded(outcome.upgraded, endpoint, run);
  }
}

function split(bytes: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return parts;
}

async function sendRaw(probe: RawProbe, ctx: Context, deadline: (key: string) => number, run: ProbeRun): Promise<void> {
  const endpoint = endpointOf(probe);
  const key = `raw ${probe.shape}`;
  const outcome = await exchange({
    port: ctx.port,
    chunks: [Buffer.from(fill(probe.bytes, ctx), 'latin1')],
    halfClose: probe.halfClose,
    timeoutMs: deadline(key),
  });
  run.requests.push({ endpoint, outcome, key });
}

// ---- the stream on a raw socket ----

/** Reads server frames until the server closes the connection or the deadline passes. */
function readUntilClosed(socket: Socket, rest: Buffer, deadline: number): Promise<UpgradeResult> {
  return new Promise((resolve) => {
    let buffer = rest;
    const frames: ServerFrame[] = [];
    let problem: string | undefined;
    let done = false;
    const finish = (ended: UpgradeResult['ended']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(problem === undefined ? { frames, ended } : { frames, ended, problem });
    };
    const timer = setTimeout(() => finish(socket.destroyed ? 'closed' : 'open'), Math.max(0, deadline - Date.now()));
    const take = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseServerFrames(buffer);
      frames.push(...parsed.frames);
      buffer = parsed.rest;
      problem ??= parsed.problem;
    };
    take(Buffer.alloc(0));
    socket.on('data', take);
    socket.once('end', () => finish('closed'));
    socket.once('close', () => finish('closed'));
    socket.on('error', () => finish('closed'));
    if (socket.destroyed) finish('closed');
  });
}

/** An accepted upgrade (from the upgrade group): close it properly and wait for the server to. */
async function closeUpgraded(socket: Socket, rest: Buffer, deadline: number): Promise<UpgradeResult> {
  const reading = readUntilClosed(socket, rest, deadline);
  socket.write(closeFrame(1000));
  // A server that ignores the close frame still has to notice the end of the connection.
  const fin = setTimeout(() => socket.end(), 500);
  const result = await reading;
  clearTimeout(fin);
  return result;
}

async function sendStream(probe: StreamProbe, ctx: Context, deadline: (key: string) => number, run: ProbeRun): Promise<void> {
  const query = `t={{streamToken}}${probe.watermark === undefined ? '' : `&watermark=${probe.watermark}`}`;
  const target = fill(`/v3/directline/conversations/{{conv}}/stream?${query}`, ctx);
  const headers: [string, string][] = [
    ['Host', `127.0.0.1:${ctx.port}`],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', WS_KEY],
    ['Sec-WebSocket-Version', '13'],
  ];
  const endpoint = endpointOf(probe);
  const key = `stream ${probe.finish}`;
  const outcome = await exchange({
    port: ctx.port,
    chunks: [requestBytes('GET', target, headers, undefined)],
    timeoutMs: deadline(key),
    method: 'GET',
    onUpgrade: async (socket, rest, until) => {
      const reading = readUntilClosed(socket, rest, until);
      let serverClosed = false;
      void reading.then(() => (serverClosed = true));
      for (const frame of probe.frames) {
        if (serverClosed || socket.destroyed) break;
        socket.write(
          'garbage' in frame
            ? Buffer.from(frame.garbage, 'hex')
            : encodeFrame({
                fin: frame.fin,
                rsv: frame.rsv,
                opcode: frame.op,
                masked: frame.masked,
                payload: renderPayload(frame.payload),
                ...(frame.declared === undefined ? {} : { declaredLength: frame.declared }),
              }),
        );
        if (probe.pauseMs > 0) await sleep(probe.pauseMs);
      }
      if (probe.finish === 'destroy') {
        socket.destroy();
        const result = await reading;
        return { ...result, ended: 'destroyed-by-us' };
      }
      if (!socket.destroyed) {
        if (probe.finish === 'close') socket.write(closeFrame(1000));
        else socket.end();
      }
      // After a close frame the server must close; if our earlier frames left it mid-frame, our end of the connection must do.
      const fin = probe.finish === 'close' ? setTimeout(() => !socket.destroyed && socket.end(), 500) : undefined;
      const result = await reading;
      clearTimeout(fin);
      return result;
    },
  });
  run.requests.push({ endpoint, outcome, key });
  if (outcome.kind === 'response' && outcome.status !== 101) {
    const code = /"code":"([^"]*)"/.exec(outcome.body.toString('utf8'))?.[1];
    run.problems.push({ endpoint, problem: `a valid stream open was answered ${outcome.status}${code ? ` ${code}` : ''}` });
  }
  if (outcome.kind === 'response') checkUpgraded(outcome.upgraded, endpoint, run);
}

function checkUpgraded(upgraded: UpgradeResult | undefined, endpoint: string, run: ProbeRun): void {
  if (upgraded === undefined) return;
  if (upgraded.problem) run.problems.push({ endpoint, problem: upgraded.problem });
  if (upgraded.ended === 'open') run.problems.push({ endpoint, problem: 'hang: the server kept the stream open after the client closed it' });
  for (const frame of upgraded.frames) {
    if (frame.opcode !== 1) continue;
    const text = frame.payload.toString('utf8');
    if (text === '') continue;
    try {
      const set = JSON.parse(text) as { activities?: unknown; watermark?: unknown };
      if (!Array.isArray(set.activities) || typeof set.watermark !== 'string')
        run.problems.push({ endpoint, problem: 'a stream message that is not an ActivitySet' });
    } catch {
      run.problems.push({ endpoint, problem: 'a stream message that is not JSON' });
    }
  }
}

// ---- the stream with the ws client ----

type Opened = { status: number; socket?: WebSocket; ms: number } | { status: 'timeout' | 'error'; ms: number };

function openWs(url: string, timeoutMs: number, abort = false): Promise<Opened> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    let done = false;
    const finish = (o: Opened) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => {
      socket.terminate();
      finish({ status: 'timeout', ms: Date.now() - started });
    }, timeoutMs);
    socket.once('open', () => finish({ status: 101, socket, ms: Date.now() - started }));
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      socket.terminate();
      finish({ status: res.statusCode ?? 0, ms: Date.now() - started });
    });
    socket.on('error', () => finish({ status: 'error', ms: Date.now() - started }));
    if (abort) {
      setImmediate(() => {
        socket.terminate();
        finish({ status: 'error', ms: Date.now() - started });
      });
    }
  });
}

function toOutcome(o: Opened): Outcome {
  if (o.status === 'timeout') return { kind: 'timeout', ms: o.ms, bytes: 0 };
  if (o.status === 'error') return { kind: 'closed', ms: o.ms, bytes: 0 };
  return { kind: 'response', status: o.status, headers: {}, body: Buffer.alloc(0), ms: o.ms, streaming: false };
}

async function churn(probe: ChurnProbe, ctx: Context, timeoutMs: number, run: ProbeRun): Promise<void> {
  const endpoint = endpointOf(probe);
  const url = () => `ws://127.0.0.1:${ctx.port}${fill('/v3/directline/conversations/{{conv}}/stream?t={{streamToken}}', ctx)}`;
  const record = (o: Opened) => {
    // An aborted handshake is ours, not the server's doing.
    if (!(probe.how === 'abort-handshake' && o.status === 'error')) run.requests.push({ endpoint, outcome: toOutcome(o), key: `churn ${probe.how}` });
  };
  const drop = async (o: Opened) => {
    if (!('socket' in o) || o.socket === undefined) return;
    const socket = o.socket;
    if (probe.how === 'close') {
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.close(1000);
      await Promise.race([closed, sleep(timeoutMs)]);
    } else socket.terminate();
  };
  if (probe.how === 'concurrent') {
    const opened = await Promise.all(Array.from({ length: probe.opens }, () => openWs(url(), timeoutMs)));
    opened.forEach(record);
    await Promise.all(opened.map(drop));
  } else {
    for (let i = 0; i < probe.opens; i++) {
      const o = await openWs(url(), timeoutMs, probe.how === 'abort-handshake');
      record(o);
      await drop(o);
    }
  }
  // The dropped sockets must have given their places back (at most 4 per conversation).
  let last: Opened | undefined;
  for (let attempt = 0; attempt < 6; attempt++) {
    await sleep(100 * (attempt + 1));
    last = await openWs(url(), timeoutMs);
    if (last.status === 101) break;
  }
  if (last !== undefined) {
    record(last);
    await drop(last);
    if (last.status !== 101) run.problems.push({ endpoint, problem: `after dropping streams a new one was refused (${last.status}): places not given back` });
  }
}
