// Retention (R8) with a pinned clock: the purge runs at start and on every tick, deletes what is
// older than each agency's retentionDays (read on every run), and the app's timer stops on close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActivityTypes, type ConversationAccount } from 'botbuilder';
import { retentionCutoff, retentionCutoffs, startRetention, type RetentionDays } from '../bot/retention.js';
import { createApp } from '../bot/app.js';
import { testConfig } from '../bot/config.js';
import { silentLogger } from '../bot/log.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import type { PurgeCutoffs, RemovedCounts } from '../bot/storage/store.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-06-01T12:00:00.000Z');

/** Timers the test fires by hand. */
function manualTimers() {
  const ticks: (() => void)[] = [];
  let cleared = 0;
  return {
    setInterval: (fn: () => void) => {
      ticks.push(fn);
      return { unref: () => undefined };
    },
    clearInterval: () => {
      cleared++;
      ticks.length = 0;
    },
    tick: () => ticks.forEach((fn) => fn()),
    get cleared() {
      return cleared;
    },
    get active() {
      return ticks.length;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('retention', () => {
  it('the cutoff is retentionDays before now', () => {
    expect(retentionCutoff(NOW, 90)).toEqual(new Date(NOW.getTime() - 90 * DAY));
  });

  it("each agency's cutoff is its own retentionDays before now; the rest get `otherwise`'s", () => {
    const cutoffs = retentionCutoffs(NOW, {
      byAgency: new Map([
        ['library', 30],
        ['archive', 365],
      ]),
      otherwise: 90,
    });
    expect(cutoffs).toEqual({
      byAgency: new Map([
        ['library', ago(30)],
        ['archive', ago(365)],
      ]),
      otherwise: ago(90),
    });
  });

  it('purges at start and on every tick, with the limits read on every run; stop clears the timer', async () => {
    const purged: PurgeCutoffs[] = [];
    const timers = manualTimers();
    let days: RetentionDays = { byAgency: new Map([['library', 90]]), otherwise: 90 };
    const retention = startRetention({
      store: { purge: async (cutoffs) => (purged.push(cutoffs), emptyCounts()) },
      retentionDays: () => days,
      intervalMs: 60_000,
      log: silentLogger,
      now: () => NOW,
      ...timers,
    });
    await vi.waitFor(() => expect(purged).toHaveLength(1));
    expect(purged[0]).toEqual({ byAgency: new Map([['library', ago(90)]]), otherwise: ago(90) });

    days = {
      byAgency: new Map([
        ['library', 30],
        ['archive', 365],
      ]),
      otherwise: 60,
    }; // profiles edited and reloaded
    timers.tick();
    await vi.waitFor(() => expect(purged).toHaveLength(2));
    expect(purged[1]).toEqual({
      byAgency: new Map([
        ['library', ago(30)],
        ['archive', ago(365)],
      ]),
      otherwise: ago(60),
    });

    retention.stop();
    expect(timers.cleared).toBe(1);
    expect(timers.active).toBe(0);
  });

  it('a failed purge is retried by the next run and does not throw', async () => {
    let calls = 0;
    const timers = manualTimers();
    const retention = startRetention({
      store: {
        purge: async () => {
          calls++;
          if (calls === 1) throw new Error('database down');
          return emptyCounts();
        },
      },
      retentionDays: () => ({ byAgency: new Map(), otherwise: 90 }),
      intervalMs: 60_000,
      log: silentLogger,
      now: () => NOW,
      ...timers,
    });
    expect(await retention.runNow()).toEqual(emptyCounts());
    expect(calls).toBe(2);
    retention.stop();
  });

  it("in the app: records, transcripts and Direct Line activities older than the profile's retentionDays go", async () => {
    const clock = { now: new Date(NOW.getTime() - 120 * DAY) };
    const store = createMemoryStore({ now: () => clock.now });
    const app = createApp(testConfig(), { store, now: () => clock.now, log: silentLogger });
    try {
      const retentionDays = app.knowledge.current.profile.retentionDays;
      for (const [id, at] of [
        ['old-conv-000000001', new Date(NOW.getTime() - (retentionDays + 1) * DAY)],
        ['new-conv-000000001', new Date(NOW.getTime() - (retentionDays - 1) * DAY)],
      ] as const) {
        clock.now = at;
        await app.records.unanswered({ conversationId: id, text: 'x', reason: 'fallback', language: 'lv', at });
        await app.records.feedback({ conversationId: id, entryId: 'e', helpful: true, at });
        await store.directLine.createConversation({ id, userId: 'dl_user0001', agency: 'library', createdAt: at.toISOString() });
        await store.directLine.appendActivity(id, {
          type: ActivityTypes.Message,
          text: 'x',
          timestamp: at,
          channelId: 'directline',
          conversation: { id } as ConversationAccount,
        });
      }
      clock.now = NOW;
      const purge = vi.spyOn(store, 'purge');
      const removed = await app.retention.runNow();
      // The app's agency is purged by its own profile's limit.
      const cutoff = new Date(NOW.getTime() - retentionDays * DAY);
      expect(purge).toHaveBeenCalledWith({ byAgency: new Map([[testConfig().AGENCY, cutoff]]), otherwise: cutoff });
      expect(removed).toMatchObject({ records: 2, transcripts: 1 });
      expect((await app.records.listUnanswered(new Date(0))).map((u) => u.conversationId)).toEqual(['new-conv-000000001']);
      expect(await store.directLine.getConversation('old-conv-000000001')).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('the app starts the timer and clears it on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = createMemoryStore();
    const purge = vi.spyOn(store, 'purge');
    const app = createApp(testConfig({ RETENTION_SWEEP_MINUTES: '5' }), { store, log: silentLogger });
    await vi.waitFor(() => expect(purge).toHaveBeenCalledTimes(1)); // at start
    vi.advanceTimersByTime(5 * 60_000);
    await vi.waitFor(() => expect(purge).toHaveBeenCalledTimes(2));
    await app.close();
    vi.advanceTimersByTime(60 * 60_000);
    expect(purge).toHaveBeenCalledTimes(2);
  });
});

function ago(days: number): Date {
  return new Date(NOW.getTime() - days * DAY);
}

function emptyCounts(): RemovedCounts {
  return { state: 0, transcripts: 0, records: 0, handover: 0, cases: 0 };
}
