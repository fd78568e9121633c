// Forwarding between the agencies of one installation (R2, R8): a question for a body the
// installation also serves is referred with an offer to continue here; nothing passes before the
// citizen presses it; then the same chat continues with that agency, which greets, says it is an
// automated program and answers the question already asked; the citizen can go back.
import { TestAdapter, type Activity, type CardAction } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../bot/app.js';
import { testConfig } from '../bot/config.js';
import { setTurnAgency } from '../bot/turn-agency.js';
import type { TurnOutcome } from '../bot/records.js';
import { MemoryRecords } from '../bot/storage/kept-records.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { buildReport } from '../bot/service-report.js';
import { partOf } from '../dialogs/flows/forwarding.js';

let app: App;
let adapter: TestAdapter;
/** What the bot sent in the current turn. */
let sent: Partial<Activity>[] = [];

beforeEach(() => {
  // Monday 16 November 2026, 13:30 in Riga: both agencies' staff are at work.
  app = createApp(testConfig({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', AGENCIES: 'library,archive' }), {
    storage: 'memory',
    now: () => new Date('2026-11-16T11:30:00Z'),
  });
  // One conversation that the channel (a library widget) started.
  adapter = new TestAdapter(app.logic);
  adapter.use(async (context, next) => {
    setTurnAgency(context, 'library');
    await next();
  });
  // The transcript is recorded as on every channel of the app (staff read it on a handover).
  app.useRecordingMiddleware(adapter);
  adapter.use(async (context, next) => {
    context.onSendActivities(async (_ctx, activities, nextSend) => {
      sent.push(...activities);
      return nextSend();
    });
    await next();
  });
});
afterEach(() => app.close());

async function send(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
  sent = [];
  await adapter.processActivity({ type: 'message', ...activity });
  return sent;
}

const say = (text: string) => send({ text });
const press = (action: CardAction) => send({ text: String(action.title), value: action.value as unknown });
const textOf = (replies: Partial<Activity>[]) =>
  replies.map((r) => [r.text ?? '', ...(r.attachments ?? []).map((a) => (a.content as { text?: string }).text ?? '')].join('\n')).join('\n');
const cardButtons = (replies: Partial<Activity>[]): CardAction[] =>
  replies.flatMap((r) => (r.attachments ?? []).flatMap((a) => (a.content as { buttons?: CardAction[] }).buttons ?? []));
const suggested = (replies: Partial<Activity>[]): CardAction[] => replies.at(-1)?.suggestedActions?.actions ?? [];
const isForward = (a: CardAction) => (a.value as { action?: string } | undefined)?.action === 'forward';
/** A staff member of one agency, online in its console. */
async function staffOnline(agency: string, login: string): Promise<void> {
  const added = await app.handover.directory.add({
    name: `${login} Tests`,
    login,
    languages: ['lv'],
    role: 'staff',
    password: 'correct horse battery staple',
    agencies: [{ agency, role: 'staff' }],
  });
  if (!added.ok) throw new Error(added.message);
  await app.handover.side.service(agency).seen(added.value);
}

/** What an agency recorded. */
const outcomesOf = (agency: string): TurnOutcome[] => (app.store.recordsOf(agency) as MemoryRecords).outcomes;
const outcomes = (): TurnOutcome[] => [...outcomesOf('library'), ...outcomesOf('archive')];

describe('forwarding to another agency of the installation', () => {
  it('offers to continue with the hosted agency beside its contacts; nothing passes before the citizen agrees', async () => {
    const replies = await say('Kā saņemt arhīva izziņu?');
    const lv = app.texts.forLanguage('lv');
    expect(textOf(replies)).toContain(lv('forward.offer', { authority: 'Pilsētas arhīvs' }));
    expect(textOf(replies)).toContain('+371 60000001');
    expect(
      cardButtons(replies)
        .filter(isForward)
        .map((b) => b.value),
    ).toEqual([{ action: 'forward', agency: 'archive' }]);
    expect(outcomes().map((o) => o.kind)).toEqual(['refer']);
  });

  it('with consent the same chat continues with that agency: its greeting and disclosure, its answer to the question already asked, a way back', async () => {
    const offer = cardButtons(await say('Kā saņemt arhīva izziņu?')).find(isForward)!;
    const replies = await press(offer);
    const archive = app.agencies.knowledge('archive')!;
    const text = textOf(replies);
    expect(text).toContain('Pilsētas arhīvs');
    expect(text).toMatch(/automatizēta programma/);
    expect(text).toContain(archive.entries.get('archive.certificate')!.answer.lv.trim().slice(0, 40));
    expect(suggested(replies).map((a) => a.value)).toContainEqual({ action: 'forward-back' });
    // Each agency's report counts its side: the library a forward out, the archive one in and its answer.
    expect(outcomesOf('library').map((o) => [o.kind, o.otherAgency])).toEqual([
      ['refer', undefined],
      ['forward', 'archive'],
    ]);
    expect(outcomesOf('archive').map((o) => [o.kind, o.otherAgency ?? o.entryId])).toEqual([
      ['forwarded', 'library'],
      ['answer', 'archive.certificate'],
    ]);

    // Both reports count the forward, by the other agency; the arrival is not a turn of its own.
    const reportOf = async (agency: string) => {
      const period = { from: new Date(0), to: new Date(Date.now() + 60_000), now: new Date() };
      const rows = await app.store.recordsOf(agency).period(period.from, period.to);
      return buildReport({ ...rows, handovers: [], cases: [] }, period, app.agencies.knowledge(agency)!);
    };
    const [library, archiveReport] = [await reportOf('library'), await reportOf('archive')];
    expect(library.forwards).toEqual({ out: [{ agency: 'archive', count: 1 }], in: [] });
    expect(archiveReport.forwards).toEqual({ out: [], in: [{ agency: 'library', count: 1 }] });
    expect(archiveReport.turns).toBe(1);

    // The next question is the archive's to answer, not the library's.
    const copies = await say('Vai var saņemt dokumenta kopiju?');
    expect(textOf(copies)).toContain(archive.entries.get('archive.copies')!.answer.lv.trim().slice(0, 40));
  });

  it('the citizen can go back: the first agency takes the conversation again', async () => {
    await press(cardButtons(await say('Kā saņemt arhīva izziņu?')).find(isForward)!);
    const back = await press({ type: 'messageBack', title: 'Atpakaļ', value: { action: 'forward-back' } });
    expect(textOf(back)).toContain('Pilsētas bibliotēka');
    const card = await say('Kā saņemt lasītāja karti?');
    expect(textOf(card)).toContain(app.agencies.knowledge('library')!.entries.get('library.card')!.answer.lv.trim().slice(0, 40));
    // Going back is not a forward: the archive records the return, the library nothing more.
    expect(
      outcomes()
        .filter((o) => o.kind === 'forward' || o.kind === 'returned')
        .map((o) => [o.kind, o.otherAgency]),
    ).toEqual([
      ['forward', 'archive'],
      ['returned', 'library'],
    ]);
  });

  it("a person asked for after the forward is the archive's, and its staff see the conversation from the consent on (R8)", async () => {
    await staffOnline('archive', 'arta');
    await say('Kā saņemt arhīva izziņu?');
    await press(cardButtons(await say('Kā saņemt arhīva izziņu?')).find(isForward)!);
    const consent = suggested(await say('Gribu runāt ar darbinieku')).find((a) => (a.value as { agree?: boolean }).agree === true)!;
    await press(consent);

    const conversationId = adapter.conversation.conversation.id;
    expect(await app.handover.forAgency('library').service.active(conversationId)).toBeUndefined();
    const ticket = (await app.handover.forAgency('archive').service.active(conversationId))!;
    expect(ticket).toBeDefined();
    const lines = (await app.handover.repo.lines('archive', { ticketId: ticket.id })).map((l) => l.text).join('\n');
    expect(lines).toContain('Esmu Pilsētas arhīvs virtuālais asistents');
    expect(lines).toContain('Gribu runāt ar darbinieku');
    // Nothing the citizen said to the library, nor the library's replies, before the consent.
    expect(lines).not.toContain('Pilsētas bibliotēka kompetencē');
    expect(lines.match(/Kā saņemt arhīva izziņu\?/g) ?? []).toHaveLength(0);
  });

  it('only the question offered to an agency goes with the citizen: an old offer pressed later takes no newer question along (R8)', async () => {
    const offer = cardButtons(await say('Kā saņemt arhīva izziņu?')).find(isForward)!;
    // A later question, referred to a body that is not served here: the archive's offer is old now.
    await say('Kā iesniegt gada ienākumu deklarāciju?');
    const replies = await press(offer);
    expect(textOf(replies)).toMatch(/automatizēta programma/);
    expect(textOf(replies)).not.toContain(app.agencies.knowledge('archive')!.entries.get('archive.certificate')!.answer.lv.trim().slice(0, 40));
    expect(outcomesOf('archive').map((o) => o.kind)).toEqual(['forwarded']);
  });

  it('while waiting for a person the conversation stays where it is: no forward', async () => {
    await staffOnline('library', 'liga');
    const offer = cardButtons(await say('Kā saņemt arhīva izziņu?')).find(isForward)!;
    const consent = suggested(await say('Gribu runāt ar darbinieku')).find((a) => (a.value as { agree?: boolean }).agree === true)!;
    await press(consent);
    const conversationId = adapter.conversation.conversation.id;
    expect(await app.handover.forAgency('library').service.active(conversationId)).toBeDefined();
    const refused = await press(offer);
    expect(textOf(refused)).toContain(app.texts.forLanguage('lv')('forward.busy'));
    expect(await app.handover.forAgency('library').service.active(conversationId)).toBeDefined();
    expect(outcomesOf('archive')).toEqual([]);
  });

  it('an old offer for an agency no longer served is refused plainly, and the conversation stays', async () => {
    const offer = { type: 'messageBack', title: 'Turpināt šeit', value: { action: 'forward', agency: 'museum' } };
    const replies = await press(offer);
    expect(textOf(replies)).toContain(app.texts.forLanguage('lv')('forward.unavailable'));
    const card = await say('Kā saņemt lasītāja karti?');
    expect(textOf(card)).toContain(app.agencies.knowledge('library')!.entries.get('library.card')!.answer.lv.trim().slice(0, 40));
  });
});

describe('each agency sees only its parts of a conversation that moved (partOf)', () => {
  const said = (id: string, at: string): Partial<Activity> => ({ id, type: 'message', text: id, timestamp: new Date(at) });
  const transcript = [
    said('a1', '2026-11-16T10:00:00Z'),
    said('press-to-b', '2026-11-16T10:01:00Z'),
    said('b1', '2026-11-16T10:02:00Z'),
    said('press-to-c', '2026-11-16T10:03:00Z'),
    said('c1', '2026-11-16T10:04:00Z'),
    said('press-back', '2026-11-16T10:05:00Z'),
    said('b2', '2026-11-16T10:06:00Z'),
  ];
  const moves = [
    { from: 'a', to: 'b', after: 'press-to-b', at: '2026-11-16T10:01:00Z', back: false },
    { from: 'b', to: 'c', after: 'press-to-c', at: '2026-11-16T10:03:00Z', back: false },
    { from: 'c', to: 'b', after: 'press-back', at: '2026-11-16T10:05:00Z', back: true },
  ];
  const ids = (agency: string, m = moves) => partOf(agency, transcript, m).map((a) => a.id);

  it('A, then B, then C, then back to B: nobody sees another agency’s part', () => {
    expect(ids('a')).toEqual(['a1', 'press-to-b']);
    expect(ids('b')).toEqual(['b1', 'press-to-c', 'b2']);
    expect(ids('c')).toEqual(['c1', 'press-back']);
  });

  it('a press missing from the transcript (a write that failed) cuts at its time, never showing the rest', () => {
    const lost = transcript.filter((a) => a.id !== 'press-to-b');
    const parts = (agency: string) => partOf(agency, lost, moves).map((a) => a.id);
    expect(parts('b')).toEqual(['b1', 'press-to-c', 'b2']);
    expect(parts('a')).toEqual(['a1']);
  });

  it('a conversation that never moved is all its agency’s', () => {
    expect(ids('a', [])).toEqual(transcript.map((a) => a.id));
  });
});
