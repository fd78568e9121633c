// "What a change would move" (bot/studio/impact.ts) on a real agency's knowledge (dvi) and the
// context a turn decides with: a phrasing added moves a question the bot could not place to that
// entry; an entry removed moves its phrasings elsewhere; a draft that does not validate is left out
// and named; unchanged knowledge moves nothing; labelled lines and recent questions are decided too,
// and what changes agrees with `decide` on the drafted knowledge. Also the labelled sets' loading.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLanguage } from '../bot/language/detect.js';
import { requestedLanguage } from '../bot/language/request.js';
import { silentLogger } from '../bot/log.js';
import type { EntryDraft } from '../bot/studio/drafts.js';
import { decidedAs, impact, type ImpactQuestion } from '../bot/studio/impact.js';
import { loadLabelledSets } from '../bot/studio/labelled.js';
import { loadConductTools } from '../knowledge/conduct-tools.js';
import { decide, type DecisionContext } from '../knowledge/decide.js';
import { withEntries } from '../knowledge/knowledge.js';
import type { KnowledgeEntry } from '../knowledge/schema.js';
import { KnowledgeSource } from '../knowledge/source.js';

const DIR = 'knowledge';
const knowledge = new KnowledgeSource({ knowledgeDir: DIR, agency: 'dvi', now: () => new Date('2026-11-16T09:00:00Z') }, silentLogger).current;
const ctx: DecisionContext = {
  knowledge,
  offeredLanguages: ['lv', 'en', 'ru'],
  conversationLanguage: 'lv',
  detectLanguage,
  requestedLanguage,
  ...loadConductTools(DIR),
};

const draft = (entryId: string, entry: unknown, remove = false): EntryDraft => ({
  agency: 'dvi',
  entryId,
  entry,
  remove,
  baseVersion: 0,
  origin: { kind: 'editor' },
  author: { id: 's1', name: 'Anna' },
  updatedAt: '2026-11-16T09:00:00.000Z',
});
const entry = (id: string): KnowledgeEntry => knowledge.entries.get(id)!;
const QUESTION = 'Kur nodot atrastu maku ar svešu karti?';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe('what a change would move, on dvi', () => {
  it('a question the bot could not place moves to the entry it is added to as a phrasing', async () => {
    expect(decidedAs(decide(QUESTION, ctx).decision).entryId).not.toBe('dvi.contacts');
    const contacts = entry('dvi.contacts');
    const edited = { ...contacts, questions: { ...contacts.questions, lv: [...contacts.questions.lv, QUESTION] } };
    const recent: ImpactQuestion = { text: QUESTION, language: 'lv', source: { kind: 'recent', reason: 'fallback' } };
    const result = await impact(ctx, [draft('dvi.contacts', edited)], [recent]);
    const moved = result.changes.find((c) => c.text === QUESTION);
    expect(moved?.after).toMatchObject({ kind: 'answer', entryId: 'dvi.contacts' });
    expect(moved?.before.entryId).not.toBe('dvi.contacts');
    // The same question is the draft's phrasing and a recent question: one row, both sources.
    expect(moved?.sources).toEqual(expect.arrayContaining([{ kind: 'phrasing', entryId: 'dvi.contacts', draft: true }, recent.source]));
    expect(result.changedEntries).toEqual(['dvi.contacts']);
    // What it says would happen is what `decide` does with the drafted knowledge.
    const after = withEntries(
      knowledge,
      [...knowledge.entries.values()].map((e) => (e.id === 'dvi.contacts' ? edited : e)),
    );
    for (const c of result.changes) expect(decidedAs(decide(c.text, { ...ctx, knowledge: after, conversationLanguage: c.language }).decision)).toEqual(c.after);
  });

  it('an entry removed moves its phrasings elsewhere, and says from what to what', async () => {
    const visit = entry('dvi.visit');
    const result = await impact(ctx, [draft('dvi.visit', undefined, true)], []);
    const phrasings = Object.values(visit.questions).flat();
    const moved = result.changes.filter((c) => c.sources.some((s) => s.kind === 'phrasing' && s.entryId === 'dvi.visit'));
    expect(moved.length).toBeGreaterThan(phrasings.length / 2);
    for (const c of moved) {
      expect(c.after.entryId).not.toBe('dvi.visit');
      expect(c.after.candidates).not.toContain('dvi.visit');
    }
    expect(moved.some((c) => c.before.kind === 'answer' && c.before.entryId === 'dvi.visit')).toBe(true);
  });

  it('unchanged knowledge moves nothing; a draft that does not validate is left out and named', async () => {
    expect((await impact(ctx, [], [])).changes).toEqual([]);
    const broken = { ...entry('dvi.contacts'), answer: {}, questions: { lv: [QUESTION] } };
    const result = await impact(ctx, [draft('dvi.contacts', broken)], [{ text: QUESTION, language: 'lv', source: { kind: 'recent', reason: 'fallback' } }]);
    expect(result.invalidDrafts).toEqual(['dvi.contacts']);
    expect(result.changes).toEqual([]);
  });

  it('decides labelled lines too, with their label beside them', async () => {
    const contacts = entry('dvi.contacts');
    const labelled: ImpactQuestion = {
      text: QUESTION,
      language: 'lv',
      source: { kind: 'labelled', set: 'dev', expected: { kind: 'answer', entryId: 'dvi.contacts' } },
    };
    const result = await impact(ctx, [draft('dvi.contacts', { ...contacts, keywords: { lv: ['atrasts maks', 'sveša karte'] } })], [labelled]);
    const row = result.changes.find((c) => c.text === QUESTION);
    expect(row?.sources).toEqual([labelled.source]);
    expect(row?.after.entryId).toBe('dvi.contacts');
  });
});

describe('labelled sets', () => {
  it("reads an agency's own folder, the top folder for the default agency, and skips lines that do not parse", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'padoms-labelled-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(path.join(dir, 'library'));
    writeFileSync(path.join(dir, 'dev.jsonl'), '{"q":"Kāda ir adrese?","kind":"answer","entryId":"dvi.contacts"}\nnot json\n\n');
    writeFileSync(path.join(dir, 'library', 'own.jsonl'), '{"q":"Kā pagarināt grāmatu?","kind":"answer","entryId":["library.renew"]}\n{"kind":"answer"}\n');
    const dvi = loadLabelledSets(dir, 'dvi', 'dvi');
    expect(dvi.questions).toEqual([
      { text: 'Kāda ir adrese?', language: 'lv', source: { kind: 'labelled', set: 'dev', expected: { kind: 'answer', entryId: 'dvi.contacts' } } },
    ]);
    expect(dvi.skipped).toBe(1);
    const library = loadLabelledSets(dir, 'library', 'dvi');
    expect(library.questions.map((q) => q.text)).toEqual(['Kā pagarināt grāmatu?']);
    expect(library.skipped).toBe(1);
    expect(loadLabelledSets(undefined, 'dvi', 'dvi').questions).toEqual([]);
  });
});
