// A conversation's home agency as the recording middleware records it (bot/storage/home-agency.ts):
// the agency the channel marked the turn with, or the default; written once per conversation and
// process, again after a deletion or an hour, and never at the cost of the citizen's answer.
import { describe, expect, it, vi } from 'vitest';
import { TestAdapter, type TurnContext } from 'botbuilder';
import { silentLogger } from '../bot/log.js';
import { createMemoryStore } from '../bot/storage/memory.js';
import { useRecordingMiddleware } from '../bot/storage/recording.js';
import { setTurnAgency, turnAgency } from '../bot/turn-agency.js';
import { deletionRequested, requestConversationDeletion } from '../dialogs/flows/deletion.js';

const DEFAULT_AGENCY = 'library';
const T0 = new Date('2026-03-02T09:00:00.000Z');

/** A bot that answers "ok", marks its turns as the archive's when told to, and deletes the conversation when asked. */
function recordedBot(options: { markAs?: string } = {}) {
  const clock = { now: T0 };
  const store = createMemoryStore({ now: () => clock.now });
  const writes = vi.spyOn(store, 'recordHomeAgency');
  const adapter = useRecordingMiddleware(
    new TestAdapter(async (context: TurnContext) => {
      if (options.markAs !== undefined) setTurnAgency(context, options.markAs);
      if (context.activity.text === 'dzēst') requestConversationDeletion(context, [{ type: 'message', text: 'dzēsta' }]);
      else await context.sendActivity('ok');
    }),
    { store, log: silentLogger, agencyOf: (context) => turnAgency(context) ?? DEFAULT_AGENCY, now: () => clock.now, deletionRequested },
  );
  const say = (text: string, reply = 'ok') => adapter.send(text).assertReply(reply).startTest();
  return { store, writes, adapter, clock, say, conversationId: () => adapter.conversation.conversation.id };
}

describe('the home agency the recording middleware records', () => {
  it('is the agency the channel marked the turn with', async () => {
    const bot = recordedBot({ markAs: 'archive' });
    await bot.say('Labdien');
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBe('archive');
  });

  it("is the default agency's when the channel marked none", async () => {
    const bot = recordedBot();
    await bot.say('Labdien');
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBe(DEFAULT_AGENCY);
  });

  it('is written once per conversation in a process, and again after the conversation was deleted', async () => {
    const bot = recordedBot();
    for (const text of ['viens', 'divi', 'trīs']) await bot.say(text);
    expect(bot.writes).toHaveBeenCalledTimes(1);
    await bot.say('dzēst', 'dzēsta');
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBeUndefined();
    // The conversation goes on (Direct Line keeps it): its next turn records its agency again.
    await bot.say('vēl viens');
    expect(bot.writes).toHaveBeenCalledTimes(2);
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBe(DEFAULT_AGENCY);
  });

  it('is written again after an hour (retention may have removed it meanwhile); the first recorded stays', async () => {
    const bot = recordedBot();
    await bot.say('viens');
    bot.clock.now = new Date(T0.getTime() + 59 * 60_000);
    await bot.say('divi');
    expect(bot.writes).toHaveBeenCalledTimes(1);
    bot.clock.now = new Date(T0.getTime() + 61 * 60_000);
    await bot.say('trīs');
    expect(bot.writes).toHaveBeenCalledTimes(2);
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBe(DEFAULT_AGENCY);
  });

  it('a failed write does not cost the citizen the answer, and the next turn writes it', async () => {
    const bot = recordedBot();
    bot.writes.mockRejectedValueOnce(new Error('database down'));
    await bot.say('viens'); // the reply came
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBeUndefined();
    await bot.say('divi');
    expect(bot.writes).toHaveBeenCalledTimes(2);
    expect(await bot.store.agencyOfConversation(bot.conversationId())).toBe(DEFAULT_AGENCY);
  });
});
