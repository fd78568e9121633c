// One transaction per turn (bot/storage/turn-batch.ts), on real SQLite and PostgreSQL: what a turn
// writes is invisible until the turn ends and then all there, in one transaction; a turn that fails
// keeps what it wrote; a deletion inside a turn comes after the turn's earlier writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Activity, ConversationAccount } from 'botbuilder';
import { silentLogger } from '../bot/log.js';
import { openPostgresStore } from '../bot/storage/postgres.js';
import { openSqliteStore } from '../bot/storage/sqlite.js';
import type { PadomsStore } from '../bot/storage/store.js';
import { directLine, hasPostgres, startPostgres, type PgCluster } from './support/postgres.js';
import { startApp } from './support/app.js';
import { testConfig } from '../bot/config.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const AGENCY = 'library';
const STATE_KEY = (id: string) => `directline/conversations/${id}/`;

interface Opened {
  store: PadomsStore;
  /** Writing transactions committed since the last call. */
  transactions(): Promise<number>;
}

let cluster: PgCluster | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

const backends: { name: string; skip?: string; open(): Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-turns-'));
      const store = openSqliteStore({ dataDir, now: () => T0, defaultAgency: AGENCY });
      cleanups.push(async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      });
      const spy = vi.spyOn(store.sqlite!, 'transaction');
      return {
        store,
        async transactions() {
          const n = spy.mock.calls.length;
          spy.mockClear();
          return n;
        },
      };
    },
  },
  {
    name: 'postgres',
    ...(hasPostgres || process.env['CI'] ? {} : { skip: 'PostgreSQL not installed' }),
    async open() {
      const url = await cluster!.createDatabase();
      const store = openPostgresStore({ url, now: () => T0, log: silentLogger, defaultAgency: AGENCY });
      await store.ping();
      const probe = new pg.Client({ connectionString: url });
      await probe.connect();
      cleanups.push(async () => {
        await probe.end();
        await store.close();
      });
      // Every writing transaction takes a transaction id; so does each probe.
      const xid = async () => Number((await probe.query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]!.x);
      let last = await xid();
      return {
        store,
        async transactions() {
          const now = await xid();
          const n = now - last - 1;
          last = now;
          return n;
        },
      };
    },
  },
];

beforeAll(async () => {
  if (hasPostgres || process.env['CI']) cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.destroy();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

function message(conversationId: string, text: string, role: 'user' | 'bot'): Partial<Activity> {
  return {
    type: 'message',
    id: `${role}-${text}`,
    text,
    timestamp: T0,
    channelId: 'directline',
    conversation: { id: conversationId } as ConversationAccount,
    from: { id: role, name: role, role },
  };
}

/** What a turn of this conversation left in each place. */
async function seen(store: PadomsStore, id: string) {
  return {
    activities: (await store.directLine.listActivities(id, 0, 100))?.activities.map((a) => a.text) ?? [],
    transcript: (await store.transcripts.getTranscriptActivities('directline', id)).items.map((a) => a.text),
    state: Object.keys(await store.state.read([STATE_KEY(id)])).length,
    outcomes: (await store.recordsOf(AGENCY).period(new Date(0), new Date(T0.getTime() + 1))).outcomes.filter((o) => o.conversationId === id).length,
    home: await store.agencyOfConversation(id),
  };
}

/** One turn's writes, the way a Direct Line turn makes them. */
async function writeTurn(store: PadomsStore, id: string): Promise<void> {
  await store.recordHomeAgency(id, AGENCY, T0);
  await store.directLine.appendActivity(id, message(id, 'Kā iesniegt sūdzību?', 'user'));
  await store.directLine.appendActivity(id, message(id, 'Sūdzību var iesniegt…', 'bot'));
  await store.state.write({ [STATE_KEY(id)]: { conversationData: { language: 'lv' } } });
  await store.recordsOf(AGENCY).outcome({
    conversationId: id,
    channel: 'directline',
    language: 'lv',
    kind: 'answer',
    entryId: 'dvi.data-complaint',
    authorityIds: [],
    at: T0,
  });
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`${backend.name}: one transaction per turn`, () => {
    it('nothing a turn writes is visible before it ends; then all of it is, from one transaction', async () => {
      const { store, transactions } = await backend.open();
      const id = 'turn-conversation-0001';
      await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
      await transactions();

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const wrote = new Promise<void>((resolve) => (written = resolve));
      const turn = store.turns.inTurn(id, async () => {
        await writeTurn(store, id);
        written();
        await held;
      });
      await wrote;
      expect(await seen(store, id)).toEqual({ activities: [], transcript: [], state: 0, outcomes: 0, home: undefined });
      release();
      await turn;
      const after = await seen(store, id);
      expect(after).toEqual({
        activities: ['Kā iesniegt sūdzību?', 'Sūdzību var iesniegt…'],
        transcript: ['Kā iesniegt sūdzību?', 'Sūdzību var iesniegt…'],
        state: 1,
        outcomes: 1,
        home: AGENCY,
      });
      expect(await transactions()).toBe(1);
    });

    it("a turn that throws keeps what it wrote (the citizen's message is not lost)", async () => {
      const { store } = await backend.open();
      const id = 'turn-conversation-0002';
      await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
      await expect(
        store.turns.inTurn(id, async () => {
          await store.directLine.appendActivity(id, message(id, 'Labdien', 'user'));
          throw new Error('the bot failed');
        }),
      ).rejects.toThrow('the bot failed');
      expect((await seen(store, id)).activities).toEqual(['Labdien']);
    });

    it('flush commits what came before it (a deletion must follow it); the rest is committed at the end', async () => {
      const { store } = await backend.open();
      const id = 'turn-conversation-0003';
      await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
      await store.turns.inTurn(id, async () => {
        await writeTurn(store, id);
        await store.turns.flush(id);
        await store.deleteConversation(id);
        await store.directLine.appendActivity(id, message(id, 'Saruna dzēsta.', 'bot'), { deliveryOnly: true });
        expect((await seen(store, id)).activities).toEqual([]);
      });
      // Only the farewell is left, for the client's poll; staff see nothing of the conversation.
      expect(await seen(store, id)).toEqual({ activities: ['Saruna dzēsta.'], transcript: [], state: 0, outcomes: 0, home: undefined });
    });

    it('two turns of one conversation at once share one transaction; a stale state change in it is dropped', async () => {
      const { store, transactions } = await backend.open();
      const id = 'turn-conversation-0004';
      await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
      await store.state.write({ [STATE_KEY(id)]: { step: 0 } });
      const read = (await store.state.read([STATE_KEY(id)]))[STATE_KEY(id)] as { eTag: string };
      await transactions();
      let releaseFirst!: () => void;
      const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
      let secondDone = false;
      const first = store.turns.inTurn(id, async () => {
        await store.state.write({ [STATE_KEY(id)]: { step: 1, eTag: read.eTag } });
        await firstHeld;
      });
      const second = store.turns
        .inTurn(id, async () => {
          await store.directLine.appendActivity(id, message(id, 'otrais', 'user'));
          await store.state.write({ [STATE_KEY(id)]: { step: 2, eTag: read.eTag } });
        })
        .then(() => (secondDone = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The second turn is over, but not acknowledged before what it wrote is committed: with the first.
      expect(secondDone).toBe(false);
      expect((await seen(store, id)).activities).toEqual([]);
      releaseFirst();
      await Promise.all([first, second]);
      // The first change stands; the second carried the eTag the first had just replaced.
      expect((await store.state.read([STATE_KEY(id)]))[STATE_KEY(id)]).toMatchObject({ step: 1 });
      expect((await seen(store, id)).activities).toEqual(['otrais']);
      expect(await transactions()).toBe(1);
    });

    it('turns of different conversations are committed each on its own', async () => {
      const { store } = await backend.open();
      const [a, b] = ['turn-conversation-000a', 'turn-conversation-000b'];
      for (const id of [a, b]) await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = store.turns.inTurn(a, async () => {
        await writeTurn(store, a);
        await held;
      });
      await store.turns.inTurn(b, () => writeTurn(store, b));
      expect((await seen(store, b)).outcomes).toBe(1);
      expect((await seen(store, a)).outcomes).toBe(0);
      release();
      await slow;
      expect((await seen(store, a)).outcomes).toBe(1);
    });

    it('work a turn leaves running is written on its own once the turn is committed', async () => {
      const { store } = await backend.open();
      const id = 'turn-conversation-0005';
      await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: T0.toISOString() });
      let late!: Promise<void>;
      await store.turns.inTurn(id, async () => {
        late = (async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          await store.directLine.appendActivity(id, message(id, 'vēlāk', 'bot'));
        })();
      });
      await late;
      expect((await seen(store, id)).activities).toEqual(['vēlāk']);
    });
  });
}

describe('the app on SQLite', () => {
  it('a Direct Line message turn is one transaction, committed before the POST is answered', async () => {
    const site = await startApp({}, { storage: 'sqlite' });
    try {
      const homes = vi.spyOn(site.app.store, 'recordHomeAgency');
      const c = await directLine.start(site.origin);
      await directLine.send(site.origin, c, { type: 'message', text: 'Labdien' });
      // The conversation's home agency (the default: Direct Line marks none yet) was written with
      // its first turn, and is not written again by later turns of this process.
      expect(await site.app.store.agencyOfConversation(c.conversationId)).toBe(testConfig().AGENCY);
      expect(homes).toHaveBeenCalledTimes(1);
      const spy = vi.spyOn(site.app.store.sqlite!, 'transaction');
      const sent = await directLine.send(site.origin, c, { type: 'message', text: 'Kā iesniegt sūdzību par datu apstrādi?' });
      const calls = spy.mock.calls.length;
      expect(sent.status).toBe(200);
      expect(calls).toBe(1);
      expect(homes).toHaveBeenCalledTimes(1);
      const transcript = (await site.app.store.transcripts.getTranscriptActivities('directline', c.conversationId)).items;
      expect(transcript.filter((a) => a.from?.role === 'user').map((a) => a.text)).toEqual(['Labdien', 'Kā iesniegt sūdzību par datu apstrādi?']);
    } finally {
      await site.stop();
    }
  });
});
