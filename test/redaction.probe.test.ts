// The redaction probe (scripts/redaction-probe.ts) against a real server process, on a sample of
// the corpus: nothing planted is found in any file under DATA_DIR or in the server's log, and the
// stored texts are exactly the expected ones. Then the handover queue, which needs office hours and
// staff online (the spawned server's clock cannot be pinned): in process, SQLite under DATA_DIR,
// with a code in the citizen's name and channel data, every file scanned the same way.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProbe, scanDirectory } from '../scripts/redaction-probe.js';
import { CORPUS, MASKS } from './fixtures/redaction/corpus.js';
import { startApp, type RunningApp } from './support/app.js';
import { directLine } from './support/postgres.js';

describe('the redaction probe against the real server', () => {
  it('finds no planted code, card or IBAN in the database files or the log', { timeout: 90_000 }, async () => {
    const sample = CORPUS.filter((_, i) => i % 6 === 0);
    const report = await runProbe({ root: path.resolve(import.meta.dirname, '..'), entry: 'tsx', messages: sample });
    expect(report.messagesSent).toBe(sample.length);
    expect(report.fieldsCovered).toEqual(
      expect.arrayContaining([
        'text',
        'from.name',
        'name',
        'value (nested, keys)',
        'channelData (nested, keys)',
        'entities',
        'api: attachments (content)',
        'api: extra fields',
        'case question',
        'rating comment',
        'suggestion',
      ]),
    );
    expect(report.filesScanned.map((f) => f.file)).toContain('padoms.sqlite');
    expect(report.leaksInFiles).toEqual([]);
    expect(report.leaksInLog).toEqual([]);
    expect(report.storedNotAsExpected).toEqual([]);
    expect(report.deepNesting.every((d) => d.status < 500)).toBe(true);
    expect(report.serverExit).toBe(0);
  });
});

describe('the handover queue stores nothing in clear', () => {
  // Monday 23 November 2026, 13:30 in Riga: inside the demo profile's hours.
  const IN_HOURS = new Date('2026-11-23T11:30:00Z');
  let site: RunningApp;
  afterAll(async () => site?.stop());

  it('the ticket, its reference, its lines and the handoff event carry no code from the name, channel data or text', async () => {
    site = await startApp({}, { now: () => IN_HOURS });
    const added = await site.app.handover.directory.add({ name: 'Jānis', login: 'janis', languages: ['lv'], role: 'staff', password: 'correct horse battery' });
    if (!added.ok) throw new Error(added.message);
    await site.app.handover.service.seen(added.value);

    const planted = CORPUS.filter((m) => m.planted.length > 0).filter((_, i) => i % 40 === 0);
    const [inName, inData, inText, whileQueued] = planted;
    const w = (m: (typeof planted)[number]) => m.planted[0]!.around(m.planted[0]!.written);
    const c = await directLine.start(site.origin);
    const ask = await directLine.send(site.origin, c, {
      type: 'message',
      text: 'Gribu runāt ar cilvēku',
      from: { name: w(inName!) },
      channelData: { note: w(inData!) },
    });
    expect(ask.status).toBe(200);
    expect((await directLine.send(site.origin, c, { type: 'message', text: inText!.text })).status).toBe(200);
    const consent = await directLine.send(site.origin, c, {
      type: 'message',
      text: 'Jā',
      from: { name: w(inName!) },
      channelData: { note: w(inData!) },
      value: { action: 'handover-consent', agree: true, reason: 'asked' },
    });
    expect(consent.status).toBe(200);
    const ticket = await site.app.handover.service.active(c.conversationId);
    expect(ticket?.state).toBe('queued');
    expect((await directLine.send(site.origin, c, { type: 'message', text: whileQueued!.text, from: { name: w(inName!) } })).status).toBe(200);
    const replies = await directLine.read(site.origin, c);
    expect(replies.activities.some((a) => a.type === 'event')).toBe(true);
    expect(JSON.stringify(replies.activities)).toContain(MASKS['personal-code'].slice(0, 5));

    const { files, leaks } = scanDirectory(
      site.dataDir,
      planted.flatMap((m) => m.planted),
    );
    expect(files.map((f) => f.file)).toContain('padoms.sqlite');
    expect(leaks).toEqual([]);
  });
});
