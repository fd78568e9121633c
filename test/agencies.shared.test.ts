// Many agencies in one installation: what they share (the authorities, the intents, the vote's
// examples) is read and built once, an edit of it reaches every agency, and each agency decides
// exactly as its knowledge built alone would. On benchmark agencies (bench/agencies.ts): the real
// shared folders beside agencies made of dvi's entries.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgencyRegistry } from '../bot/agencies.js';
import { createLogger } from '../bot/log.js';
import { generateAgencies, type BenchAgencies } from '../bench/agencies.js';
import { withPhrasingsCut } from '../knowledge/ablation.js';
import { decide, type DecisionContext } from '../knowledge/decide.js';
import { IntentVote } from '../knowledge/intent-vote.js';
import { buildKnowledge, type Knowledge } from '../knowledge/knowledge.js';
import { loadKnowledgeFiles, type KnowledgeFiles } from '../knowledge/load.js';
import { DEFAULT_SETS } from '../bot/cli/eval.js';

const today = new Date('2026-12-01T10:00:00Z');
const silent = createLogger('silent');

let made: BenchAgencies | undefined;
let registry: AgencyRegistry | undefined;
afterEach(() => {
  registry?.close();
  registry = undefined;
  made?.remove();
  made = undefined;
});

function agencies(count: number, entries = 12, shape?: (files: KnowledgeFiles) => KnowledgeFiles): { made: BenchAgencies; registry: AgencyRegistry } {
  made = generateAgencies({ agencies: count, entries });
  registry = new AgencyRegistry({ knowledgeDir: made.knowledgeDir, defaultId: made.ids[0]!, now: () => today, log: silent, ...(shape ? { shape } : {}) });
  return { made, registry };
}

const sharedLayer = (k: Knowledge) => k.index.layers[1];
const voteBasis = (k: Knowledge) => (k.vote instanceof IntentVote ? k.vote.basis : undefined);

describe('what the agencies share', () => {
  it('is read and built once: the second and third agency use the first one’s, and an agency’s own edit rebuilds only its own', async () => {
    const { made, registry } = agencies(3);
    const [a, b, c] = made.ids.map((id) => registry.knowledge(id)!);
    expect(registry.sharedAnalysis.builds).toEqual({ layers: 1, bases: 1 });
    expect(sharedLayer(b!)).toBe(sharedLayer(a!));
    expect(sharedLayer(c!)).toBe(sharedLayer(a!));
    expect(voteBasis(b!)).toBeDefined();
    expect(voteBasis(b!)).toBe(voteBasis(a!));
    // The files too: one parsed authority, not one per agency.
    expect(b!.authorities.get('vid')).toBe(a!.authorities.get('vid'));
    expect(b!.index.layers[0]).not.toBe(a!.index.layers[0]);

    registry.watch(50);
    const entry = path.join(made.knowledgeDir, 'agencies', made.ids[1]!, 'entries', `${made.ids[1]}.contacts.yaml`);
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('Elijas iela 17', 'Elijas iela 19'));
    await vi.waitFor(() => expect(registry.knowledge(made.ids[1]!)?.entries.get(`${made.ids[1]}.contacts`)?.answer.lv).toMatch(/Elijas iela 19/), {
      timeout: 5000,
    });
    expect(registry.sharedAnalysis.builds).toEqual({ layers: 1, bases: 1 });
    expect(sharedLayer(registry.knowledge(made.ids[1]!)!)).toBe(sharedLayer(a!));
  });

  it('reaches every agency when edited: an authority’s new keyword finds it in each, and it is built again once for all', async () => {
    const { made, registry } = agencies(3);
    // A word no text has, in no form: nothing is found for it before.
    const keyword = 'xyzzyqvq';
    expect(made.ids.flatMap((id) => registry.knowledge(id)!.index.search(keyword).results)).toEqual([]);
    registry.watch(50);
    const file = path.join(made.knowledgeDir, 'authorities', 'vid.yaml');
    const original = readFileSync(file, 'utf8');
    expect(original).toMatch(/^keywords:\n {2}lv:\n/m);
    writeFileSync(file, original.replace(/^keywords:\n {2}lv:\n/m, `keywords:\n  lv:\n    - ${keyword}\n`));
    await vi.waitFor(() => expect(made.ids.map((id) => registry.knowledge(id)!.index.search(keyword).results[0]?.id)).toEqual(made.ids.map(() => 'vid')), {
      timeout: 5000,
    });
    expect(registry.sharedAnalysis.builds).toEqual({ layers: 2, bases: 1 });
    const [a, ...rest] = made.ids.map((id) => registry.knowledge(id)!);
    for (const k of rest) expect(sharedLayer(k)).toBe(sharedLayer(a!));
    expect(rest[0]!.authorities.get('vid')?.keywords?.lv).toContain(keyword);
  });

  it('keeps every agency’s last knowledge when a shared file is made invalid, and says so for each', async () => {
    made = generateAgencies({ agencies: 2, entries: 12 });
    const error = vi.fn();
    const log = { ...silent, error, warn: vi.fn(), info: vi.fn(), child: () => log } as unknown as typeof silent;
    registry = new AgencyRegistry({ knowledgeDir: made.knowledgeDir, defaultId: made.ids[0]!, now: () => today, log });
    const before = made.ids.map((id) => registry!.knowledge(id));
    registry.watch(50);
    writeFileSync(path.join(made.knowledgeDir, 'authorities', 'vid.yaml'), 'id: vid\nname: [not, a, name]\n');
    await vi.waitFor(() => expect(error).toHaveBeenCalledTimes(2), { timeout: 5000 });
    expect(JSON.stringify(error.mock.calls)).toMatch(/authorities\/vid\.yaml/);
    made.ids.forEach((id, i) => expect(registry!.knowledge(id)).toBe(before[i]));
  });
});

describe('an agency among many', () => {
  const context = (knowledge: Knowledge): DecisionContext => ({
    knowledge,
    offeredLanguages: ['lv', 'en'],
    conversationLanguage: 'lv',
    detectLanguage: () => ({ language: 'lv', reliable: false }),
    requestedLanguage: () => null,
    toneOf: () => 'calm',
    framesOf: () => [],
  });
  const questions = DEFAULT_SETS.flatMap((set) =>
    readFileSync(`test/eval/${set}.jsonl`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { q: string }).q),
  );

  it.each([
    ['as written', undefined],
    ['cut to 3 phrasings', (files: KnowledgeFiles) => withPhrasingsCut(files, 3)],
  ] as const)(
    'decides every question of the eval sets as its knowledge built alone would (%s)',
    (_, shape) => {
      const { made, registry } = agencies(2, 30, shape);
      // The second agency, built with the first one's shared parts.
      const id = made.ids[1]!;
      const files = loadKnowledgeFiles({ knowledgeDir: made.knowledgeDir, agency: id, today });
      if (!files.ok) throw new Error('a benchmark agency must load');
      const alone = context(buildKnowledge(shape ? shape(files.files) : files.files));
      const served = context(registry.knowledge(id)!);
      expect(sharedLayer(served.knowledge)).toBe(sharedLayer(registry.knowledge(made.ids[0]!)!));
      expect(questions.length).toBeGreaterThan(700);
      const differ = questions.filter((q) => JSON.stringify(decide(q, served)) !== JSON.stringify(decide(q, alone)));
      expect(differ).toEqual([]);
    },
    120_000,
  );
});

describe('benchmark agencies (bench/agencies.ts)', () => {
  it('load without problems: their own ids, 5–10 phrasings per language, the shared folders as they are', () => {
    made = generateAgencies({ agencies: 2, entries: 30 });
    expect(made.ids).toEqual(['bench-01', 'bench-02']);
    const sources = loadKnowledgeFiles({ knowledgeDir: 'knowledge', agency: 'dvi', today });
    if (!sources.ok) throw new Error('the demo knowledge must load');
    for (const id of made.ids) {
      const loaded = loadKnowledgeFiles({ knowledgeDir: made.knowledgeDir, agency: id, today });
      expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
      if (!loaded.ok) continue;
      const { profile, entries, authorities } = loaded.files;
      expect(profile.id).toBe(id);
      expect(entries).toHaveLength(30);
      expect(new Set(entries.map((e) => e.id)).size).toBe(30);
      expect(entries.filter((e) => e.kind === 'topic').every((e) => e.id.startsWith(`${id}.`))).toBe(true);
      for (const e of entries) {
        // bench-01.about-2 is dvi.about with another choice of its phrasings.
        const source = sources.files.entries.find((s) => s.id === e.id.replace(`${id}.`, 'dvi.').replace(/-\d+$/, ''))!;
        for (const [language, list] of Object.entries(e.questions)) {
          const written = source.questions[language as 'lv'] ?? [];
          expect(list!.length).toBeGreaterThanOrEqual(Math.min(5, written.length));
          expect(list!.length).toBeLessThanOrEqual(Math.min(10, written.length));
          for (const q of list!) expect(written).toContain(q);
        }
        for (const target of e.followUps) expect(entries.map((x) => x.id)).toContain(target);
      }
      expect(authorities.map((a) => a.id)).toEqual(sources.files.authorities.map((a) => a.id));
    }
    // Two agencies are two different choices of phrasings.
    const first = (id: string) => loadKnowledgeFiles({ knowledgeDir: made!.knowledgeDir, agency: id, today });
    const [one, two] = made.ids.map(first);
    if (!one?.ok || !two?.ok) throw new Error('benchmark agencies must load');
    expect(one.files.entries.map((e) => e.questions.lv)).not.toEqual(two.files.entries.map((e) => e.questions.lv));
  });
});
