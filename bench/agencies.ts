// Benchmark agencies: N agencies of E entries each in a temporary knowledge folder, made from the
// real dvi entries, beside copies of the real shared folders (authorities, intents, vote, conduct,
// frames). What one installation serving many agencies costs is measured on these (`npm run
// bench:kb -- --agencies N`); `npx tsx bench/agencies.ts --agencies N [--entries E] [--into DIR]`
// writes them for a look or for `KNOWLEDGE_DIR=… AGENCY=bench-01 npm run kb:check`.
//
// What an agency looks like: each entry is a dvi entry (its answer, links and sources as written)
// under the agency's own ids, with 5–10 of its question phrasings per language and 3–6 keywords
// per language, chosen at random per agency (dvi's entries carry about 60 phrasings and 25
// keywords each, far more than staff write for a new agency: the eval's `--phrasings 5` is the
// size the thresholds are checked at). An agency of more entries than dvi has takes some entries
// twice, each time with another choice of phrasings (`<agency>.<topic>-2`), as a real agency has
// neighbouring entries that share words.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { prng } from '../test/support/prng.js';
import { formatProblem, loadKnowledgeFiles } from '../knowledge/load.js';
import type { KnowledgeEntry, LocalizedList } from '../knowledge/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The agency the entries come from. */
const SOURCE_AGENCY = 'dvi';
const PHRASINGS = { min: 5, max: 10 } as const;
const KEYWORDS = { min: 3, max: 6 } as const;

export interface BenchAgencyOptions {
  agencies: number;
  /** Entries per agency (default 30). */
  entries?: number;
  /** Where to write; default: a new temporary folder. It must not hold a knowledge folder already. */
  into?: string;
  /** The real knowledge folder copied from (default: the repository's knowledge/). */
  from?: string;
  seed?: number;
}

export interface BenchAgencies {
  knowledgeDir: string;
  /** The agencies written, in folder-name order. */
  ids: string[];
  /** Removes the folder. */
  remove(): void;
}

/** The id of the n-th agency (1-based): bench-01 … bench-50, in folder-name order. */
export const benchAgencyId = (n: number, of: number): string => `bench-${String(n).padStart(Math.max(2, String(of).length), '0')}`;

export function generateAgencies(options: BenchAgencyOptions): BenchAgencies {
  const { agencies, entries = 30, seed = 20261201 } = options;
  const from = options.from ?? path.join(ROOT, 'knowledge');
  if (!Number.isInteger(agencies) || agencies < 1 || !Number.isInteger(entries) || entries < 1) throw new Error('agencies and entries: whole numbers ≥ 1');
  const loaded = loadKnowledgeFiles({ knowledgeDir: from, agency: SOURCE_AGENCY, today: new Date() });
  if (!loaded.ok) throw new Error(`the ${SOURCE_AGENCY} knowledge does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  const { profile, entries: sourceEntries } = loaded.files;

  const knowledgeDir = options.into ?? mkdtempSync(path.join(tmpdir(), 'padoms-bench-agencies-'));
  // The shared folders as the installation has them (knowledge/ also holds the code that reads them).
  for (const folder of readdirSync(from, { withFileTypes: true })) {
    if (folder.isDirectory() && folder.name !== 'agencies') cpSync(path.join(from, folder.name), path.join(knowledgeDir, folder.name), { recursive: true });
  }
  const ids: string[] = [];
  for (let n = 1; n <= agencies; n++) {
    const id = benchAgencyId(n, agencies);
    const rand = prng(seed + n);
    const dir = path.join(knowledgeDir, 'agencies', id);
    mkdirSync(path.join(dir, 'entries'), { recursive: true });
    const name = Object.fromEntries(Object.entries(profile.name).map(([lang, text]) => [lang, `${text} ${n}`]));
    writeFileSync(path.join(dir, 'profile.yaml'), stringify({ ...profile, id, name }, { lineWidth: 0 }));
    for (const entry of agencyEntries(sourceEntries, entries, id, rand)) {
      writeFileSync(path.join(dir, 'entries', `${entry.id}.yaml`), stringify(entry, { lineWidth: 0 }));
    }
    ids.push(id);
  }
  return { knowledgeDir, ids, remove: () => rmSync(knowledgeDir, { recursive: true, force: true }) };
}

/** `count` entries under the agency's ids, the source entries in turn, their phrasings cut. */
function agencyEntries(source: readonly KnowledgeEntry[], count: number, agency: string, rand: () => number): KnowledgeEntry[] {
  // dvi.about → bench-01.about; small talk keeps its ids (the dialogs know smalltalk.goodbye).
  const rename = (id: string, round: number) =>
    `${id.startsWith(`${SOURCE_AGENCY}.`) ? agency + id.slice(SOURCE_AGENCY.length) : id}${round > 0 ? `-${round + 1}` : ''}`;
  // Small talk first, so that an agency of a few entries still greets and says goodbye.
  const ordered = [...source.filter((e) => e.kind !== 'topic'), ...source.filter((e) => e.kind === 'topic')];
  const picked = Array.from({ length: count }, (_, i) => ({ entry: ordered[i % ordered.length]!, round: Math.floor(i / ordered.length) }));
  // A small talk entry is not taken twice: a second greeting is not a neighbouring topic.
  const topics = source.filter((e) => e.kind === 'topic');
  for (const p of picked) if (p.round > 0 && p.entry.kind !== 'topic') p.entry = topics[Math.floor(rand() * topics.length)]!;
  const made = new Set<string>();
  const chosen = picked.map(({ entry, round }) => {
    let r = round;
    while (made.has(rename(entry.id, r))) r++;
    made.add(rename(entry.id, r));
    return { entry, id: rename(entry.id, r) };
  });
  return chosen.map(({ entry, id }) => ({
    ...entry,
    id,
    questions: cut(entry.questions, PHRASINGS, rand),
    ...(entry.keywords === undefined ? {} : { keywords: cut(entry.keywords, KEYWORDS, rand) }),
    // Follow-ups to entries of this agency, under their new ids; those not generated are left out.
    followUps: entry.followUps.map((target) => rename(target, 0)).filter((target) => made.has(target) && target !== id),
  }));
}

/** Between min and max of each language's list, at random, in the order written. */
function cut(list: LocalizedList, { min, max }: { min: number; max: number }, rand: () => number): LocalizedList {
  const out: Record<string, string[]> = {};
  for (const [lang, items] of Object.entries(list)) {
    if (items === undefined) continue;
    const keep = Math.min(items.length, min + Math.floor(rand() * (max - min + 1)));
    const order = items.map((_, i) => ({ i, key: rand() }));
    const kept = new Set(
      order
        .sort((a, b) => a.key - b.key)
        .slice(0, keep)
        .map((o) => o.i),
    );
    out[lang] = items.filter((_, i) => kept.has(i));
  }
  return out as LocalizedList;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { agencies: { type: 'string', default: '10' }, entries: { type: 'string', default: '30' }, into: { type: 'string' } },
  });
  const made = generateAgencies({ agencies: Number(values.agencies), entries: Number(values.entries), ...(values.into ? { into: values.into } : {}) });
  console.log(`${made.ids.length} agencies of ${values.entries} entries in ${made.knowledgeDir}`);
}
