// `npm run probe:crash`: kill -9 under load, with the default configuration (SQLite under a fresh
// DATA_DIR, no DIRECTLINE_TOKEN_SECRET). Citizens talk over Direct Line back to back; the server is
// killed with SIGKILL every few seconds and started again on the same DATA_DIR. Each citizen keeps
// its token across restarts, as Web Chat does. At the end every conversation is read back.
//
// Prints: messages acknowledged (200 with an id), found afterwards (each exactly once), lost,
// duplicated, and conversations that continued after every restart (their old token accepted and
// their next message answered). Exit 1 on any loss, duplicate or conversation that did not continue.
//
// The server runs behind a simulated reverse proxy (TRUST_PROXY_HOPS=1, an X-Forwarded-For address
// per citizen), so the per-address rate limit sees one citizen each, as in production.
// Options: --citizens 50 --rounds 6 --seconds 3 (load between kills).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnBot, type BotProcess } from '../test/support/postgres.js';

const { values: options } = parseArgs({
  options: { citizens: { type: 'string', default: '50' }, rounds: { type: 'string', default: '6' }, seconds: { type: 'string', default: '3' } },
});
const CITIZENS = Number(options.citizens);
const ROUNDS = Number(options.rounds);
const LOAD_MS = Number(options.seconds) * 1000;
const REQUEST_TIMEOUT_MS = 5_000;

interface Citizen {
  address: string;
  conversationId: string;
  token: string;
  /** Ids the server acknowledged for this citizen's messages. */
  acknowledged: string[];
  /** The round after whose restart the citizen's next message was accepted and answered. */
  continuedAfter: Set<number>;
}

let origin = '';

async function call(
  citizen: Pick<Citizen, 'address'> & Partial<Citizen>,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${origin}/v3/directline${route}`, {
    method,
    headers: {
      'x-forwarded-for': citizen.address,
      ...(citizen.token === undefined ? {} : { authorization: `Bearer ${citizen.token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function startCitizen(i: number): Promise<Citizen> {
  const address = `10.${(i >> 8) & 255}.${i & 255}.1`;
  const generated = await call({ address }, 'POST', '/tokens/generate');
  const { token, conversationId } = generated.json as { token: string; conversationId: string };
  const started = await call({ address, token }, 'POST', '/conversations', { locale: 'lv-LV' });
  if (started.status !== 201) throw new Error(`start: ${started.status}`);
  return { address, conversationId, token, acknowledged: [], continuedAfter: new Set() };
}

/** One message; its id when the server acknowledged it, undefined when the server was away. */
async function send(citizen: Citizen, n: number): Promise<string | undefined> {
  try {
    const res = await call(citizen, 'POST', `/conversations/${citizen.conversationId}/activities`, {
      type: 'message',
      from: { id: 'ignored' },
      text: n % 2 === 0 ? 'Kā iesniegt sūdzību par datu apstrādi?' : 'Kad jūs strādājat?',
      channelData: { clientActivityID: `${citizen.conversationId}-${n}` },
    });
    if (res.status === 200) return (res.json as { id: string }).id;
    if (res.status === 403 || res.status === 404) throw new Error(`conversation refused after restart: ${res.status}`);
    return undefined;
  } catch (err) {
    if ((err as Error).message.startsWith('conversation refused')) throw err;
    return undefined; // connection refused or reset: the server is down
  }
}

async function readAll(citizen: Citizen): Promise<{ id?: string; replyToId?: string; from: { id: string } }[]> {
  const all: { id?: string; replyToId?: string; from: { id: string } }[] = [];
  let watermark = 0;
  for (;;) {
    const res = await call(citizen, 'GET', `/conversations/${citizen.conversationId}/activities?watermark=${watermark}`);
    if (res.status !== 200) throw new Error(`read: ${res.status}`);
    const body = res.json as { activities: { id?: string; replyToId?: string; from: { id: string } }[]; watermark: string };
    all.push(...body.activities);
    if (body.activities.length === 0 || Number(body.watermark) === watermark) return all;
    watermark = Number(body.watermark);
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-crash-'));
  const env = { DATA_DIR: dataDir, TRUST_PROXY_HOPS: '1', LOG_LEVEL: 'error' };
  let bot: BotProcess | undefined;
  let refusedAfterRestart = 0;
  try {
    bot = await spawnBot(env);
    origin = bot.origin;
    const citizens = await Promise.all(Array.from({ length: CITIZENS }, (_, i) => startCitizen(i)));
    let n = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      let running = true;
      const load = citizens.map(async (c) => {
        while (running) {
          const id = await send(c, n++);
          if (id !== undefined) c.acknowledged.push(id);
          else await new Promise((r) => setTimeout(r, 50));
        }
      });
      // Settled at once: a citizen whose token the restarted server refused ends its loop with an error.
      const settled = Promise.allSettled(load);
      await new Promise((r) => setTimeout(r, LOAD_MS));
      await bot.kill(); // mid-load: requests in flight are cut
      running = false;
      refusedAfterRestart += (await settled).filter((r) => r.status === 'rejected').length;
      bot = await spawnBot(env);
      origin = bot.origin;
      // Every conversation goes on with the token it had: its next message is accepted and answered.
      await Promise.all(
        citizens.map(async (c) => {
          const id = await send(c, n++).catch(() => undefined);
          if (id === undefined) return;
          c.acknowledged.push(id);
          const activities = await readAll(c).catch(() => []);
          if (activities.some((a) => a.replyToId === id)) c.continuedAfter.add(round);
        }),
      );
      process.stdout.write(`round ${round}/${ROUNDS}: killed and restarted\n`);
    }

    let acknowledged = 0;
    let found = 0;
    let duplicated = 0;
    for (const c of citizens) {
      // A conversation whose token is refused now cannot be read: its messages count as lost.
      const ids = (await readAll(c).catch(() => [])).map((a) => a.id);
      for (const id of c.acknowledged) {
        acknowledged += 1;
        const times = ids.filter((x) => x === id).length;
        if (times >= 1) found += 1;
        if (times > 1) duplicated += 1;
      }
    }
    const continued = citizens.filter((c) => c.continuedAfter.size === ROUNDS).length;
    const lost = acknowledged - found;
    console.log(
      [
        `kill -9 rounds:             ${ROUNDS} (every ${LOAD_MS / 1000} s under ${CITIZENS} citizens; default configuration, no DIRECTLINE_TOKEN_SECRET)`,
        `messages acknowledged:      ${acknowledged}`,
        `found afterwards:           ${found}`,
        `lost:                       ${lost}`,
        `duplicated:                 ${duplicated}`,
        `conversations continued:    ${continued} of ${CITIZENS} after every restart (old token accepted, next message answered)`,
        `tokens refused on restart:  ${refusedAfterRestart}`,
      ].join('\n'),
    );
    if (lost > 0 || duplicated > 0 || continued < CITIZENS || refusedAfterRestart > 0) process.exitCode = 1;
  } finally {
    await bot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
