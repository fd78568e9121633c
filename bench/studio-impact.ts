// `npx tsx bench/studio-impact.ts [--sets dev,tune]`: how long the studio's "what a change would
// move" (bot/studio/impact.ts) takes, and the longest the event loop waits meanwhile, for dvi and for
// a generated agency of 30 entries (bench/agencies.ts): a phrasing added to one entry, decided over
// every phrasing, the labelled sets named (test/eval, dvi only) and 200 recent questions; the first
// call (nothing kept yet) and the next ones (the published knowledge's decisions kept).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { detectLanguage } from '../bot/language/detect.js';
import { requestedLanguage } from '../bot/language/request.js';
import { silentLogger } from '../bot/log.js';
import type { EntryDraft } from '../bot/studio/drafts.js';
import { impact, type ImpactQuestion } from '../bot/studio/impact.js';
import { loadLabelledSets } from '../bot/studio/labelled.js';
import { loadConductTools } from '../knowledge/conduct-tools.js';
import type { DecisionContext } from '../knowledge/decide.js';
import { KnowledgeSource } from '../knowledge/source.js';
import { generateAgencies } from './agencies.js';

const { values } = parseArgs({ options: { sets: { type: 'string', default: 'dev,tune' } } });
const sets = new Set(values.sets.split(','));

async function measure(name: string, knowledgeDir: string, agency: string, labelled: ImpactQuestion[]): Promise<void> {
  const knowledge = new KnowledgeSource({ knowledgeDir, agency, now: () => new Date() }, silentLogger).current;
  const ctx: DecisionContext = {
    knowledge,
    offeredLanguages: ['lv', 'en', 'ru'],
    conversationLanguage: 'lv',
    detectLanguage,
    requestedLanguage,
    ...loadConductTools(knowledgeDir),
  };
  const entries = [...knowledge.entries.values()].filter((e) => e.kind === 'topic');
  // Recent questions: other entries' phrasings with a word changed, as citizens vary them.
  const recent: ImpactQuestion[] = entries
    .flatMap((e) => e.questions.lv.slice(0, 8))
    .slice(0, 200)
    .map((text) => ({ text: `${text} lūdzu`, language: 'lv', source: { kind: 'recent', reason: 'fallback' } }));
  const phrasings = knowledge.entries.size === 0 ? 0 : [...knowledge.entries.values()].reduce((n, e) => n + Object.values(e.questions).flat().length, 0);
  const rows: string[] = [];
  for (let run = 0; run < 4; run++) {
    const target = entries[run % entries.length]!;
    const edited = { ...target, questions: { ...target.questions, lv: [...target.questions.lv, 'Kur nodot atrastu maku ar svešu karti?'] } };
    const draft: EntryDraft = {
      agency,
      entryId: target.id,
      entry: edited,
      remove: false,
      baseVersion: 0,
      origin: { kind: 'editor' },
      author: { id: 'bench', name: 'Bench' },
      updatedAt: new Date().toISOString(),
    };
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const result = await impact(ctx, [draft], [...labelled, ...recent]);
    const ms = performance.now() - started;
    delay.disable();
    rows.push(
      `  ${run === 0 ? 'first' : 'next '}  ${ms.toFixed(0).padStart(5)} ms  longest wait ${(delay.max / 1e6).toFixed(0).padStart(4)} ms  ${result.questions} questions, ${result.decided} decided again, ${result.changes.length} changes`,
    );
  }
  console.log(`${name}: ${knowledge.entries.size} entries, ${phrasings} phrasings, ${labelled.length} labelled, ${recent.length} recent`);
  for (const row of rows) console.log(row);
}

const dviSets = loadLabelledSets('test/eval', 'dvi', 'dvi').questions.filter((q) => q.source.kind === 'labelled' && sets.has(q.source.set));
await measure('dvi', 'knowledge', 'dvi', dviSets);
const generated = generateAgencies({ agencies: 1, entries: 30 });
try {
  await measure('generated (30 entries)', generated.knowledgeDir, generated.ids[0]!, []);
} finally {
  generated.remove();
}
