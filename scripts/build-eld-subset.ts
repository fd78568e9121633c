// Builds bot/language/eld-subset/ngrams.json, eld's n-gram database ('extrasmall', every one of its 60 languages) as
// JSON, which V8 parses with far less memory than eld's own object literal (+25 MB RSS instead of +58 MB), and
// ngrams.ts beside it, which imports it. A JSON module, not JSON text in a string literal: the literal and the
// module's source would stay in memory as strings for the life of the process (2.1 MB).
//
// Usage (from the project root, after `npm ci`; no arguments):
//   node --import tsx scripts/build-eld-subset.ts
// Re-run it whenever the eld version in package.json or DETECTABLE_LANGUAGES in bot/language/detect.ts changes
// (test/language.test.ts fails until then). The output depends only on the installed eld, so it is reproducible.
//
// What it keeps: every n-gram of node_modules/eld/src/ngrams/extrasmall.js that has a score for at least one of
// LANGUAGES, with only those languages' scores; n-grams left without any score are dropped. LANGUAGES is every
// language eld knows: a message in any of them must be recognised as not Latvian (a subset of nine made Spanish and
// Italian look Latvian). 'medium' knows no more languages and needs +195 MB. Language indexes and the full
// 60-language table stay as in eld: eld sizes its score array by the table's length, and isReliable() reads the
// runner-up's index, so renumbering could change results. Scores of the kept languages are therefore exactly
// eld's, and detect() restricted to LANGUAGES (setLanguageSubset) gives the same results as with the full database.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** eld's database, and the languages kept: all of them (test/language.test.ts checks the file against eld). */
export const DATABASE = 'extrasmall';
export const LANGUAGES: readonly string[] = [
  'am',
  'ar',
  'az',
  'be',
  'bg',
  'bn',
  'ca',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'es',
  'et',
  'eu',
  'fa',
  'fi',
  'fr',
  'gu',
  'he',
  'hi',
  'hr',
  'hu',
  'hy',
  'is',
  'it',
  'ja',
  'ka',
  'kn',
  'ko',
  'ku',
  'lo',
  'lt',
  'lv',
  'ml',
  'mr',
  'ms',
  'nl',
  'no',
  'or',
  'pa',
  'pl',
  'pt',
  'ro',
  'ru',
  'sk',
  'sl',
  'sq',
  'sr',
  'sv',
  'ta',
  'te',
  'th',
  'tl',
  'tr',
  'uk',
  'ur',
  'vi',
  'yo',
  'zh',
];

/** eld's n-gram database format (src/ngrams/*.js): scores by language index, per n-gram. */
export type EldNgramsData = {
  type: string;
  languages: Record<string, string>;
  isSubset: boolean;
  ngrams: Record<string, Record<string, number>>;
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = path.join(ROOT, 'bot/language/eld-subset/ngrams.ts');
/** The database itself, which OUTPUT imports. */
export const OUTPUT_JSON = path.join(ROOT, 'bot/language/eld-subset/ngrams.json');

/** The installed eld: its package directory (its package.json `exports` hide src/ngrams/ from bare specifiers). */
export function eldPackageDir(): string {
  // import.meta.resolve('eld') is …/eld/src/entries/dynamic.js.
  return path.resolve(path.dirname(fileURLToPath(import.meta.resolve('eld'))), '../..');
}

export async function loadEldDatabase(): Promise<{ data: EldNgramsData; version: string; file: string }> {
  const dir = eldPackageDir();
  const file = path.join(dir, `src/ngrams/${DATABASE}.js`);
  const { ngramsData } = (await import(pathToFileURL(file).href)) as { ngramsData: EldNgramsData };
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { data: ngramsData, version, file };
}

/** The subset: same type and language table, only the scores of `languages`, n-grams without any dropped. */
export function subsetNgrams(data: EldNgramsData, languages: readonly string[]): EldNgramsData {
  const keep = new Set(
    Object.entries(data.languages)
      .filter(([, code]) => languages.includes(code))
      .map(([index]) => index),
  );
  const missing = languages.filter((code) => !Object.values(data.languages).includes(code));
  if (missing.length > 0) throw new Error(`eld database ${data.type} has no ${missing.join(', ')}`);
  const ngrams: EldNgramsData['ngrams'] = {};
  for (const [ngram, scores] of Object.entries(data.ngrams)) {
    const kept = Object.entries(scores).filter(([index]) => keep.has(index));
    if (kept.length > 0) ngrams[ngram] = Object.fromEntries(kept);
  }
  return { type: data.type, languages: { ...data.languages }, isSubset: true, ngrams };
}

function render(subset: EldNgramsData, version: string, sourceSha256: string, sourceCount: number): string {
  const count = Object.keys(subset.ngrams).length;
  const header = `// GENERATED FILE, do not edit: node --import tsx scripts/build-eld-subset.ts (see that script).
//
// The n-gram database of eld ${version} (npm "eld", https://github.com/nitotm/efficient-language-detector-js),
// file src/ngrams/${DATABASE}.js (type ${subset.type}, sha256 ${sourceSha256}),
// reduced to the languages ${LANGUAGES.join(', ')}: ${count} of its ${sourceCount} n-grams, each with only
// those languages' scores.
// Language indexes and the language table are eld's, unchanged. Stored as JSON (ngrams.json beside this file): V8
// parses it faster and with far less memory than the same object literal, and keeps no copy of its text.
//
// Copyright 2023 Nito T.M. Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
// except in compliance with the License. A copy is in LICENSE-eld beside this file, or at
// https://www.apache.org/licenses/LICENSE-2.0. Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
// either express or implied. See the License for the specific language governing permissions and limitations.
// Modified for Padoms: languages removed as described above (Apache-2.0 §4(b)). eld ${version} has no NOTICE file.
`;
  return `${header}
import ngramsJson from './ngrams.json' with { type: 'json' };

/** eld's database format (its src/ngrams/*.js): per n-gram, a score by language index. */
export type EldNgramsData = {
  type: string;
  languages: Record<string, string>;
  isSubset: boolean;
  ngrams: Record<string, Record<string, number>>;
};

/** The eld version this database was cut from. */
export const ELD_VERSION = ${JSON.stringify(version)};

/** The languages that have scores here (eld's language table still lists all of its languages). */
export const SUBSET_LANGUAGES: readonly string[] = ${JSON.stringify(LANGUAGES)};

export const ngramsData: EldNgramsData = ngramsJson;
`;
}

async function main(): Promise<void> {
  const { data, version, file } = await loadEldDatabase();
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const subset = subsetNgrams(data, LANGUAGES);
  writeFileSync(OUTPUT_JSON, JSON.stringify(subset));
  writeFileSync(OUTPUT, render(subset, version, sha256, Object.keys(data.ngrams).length));
  console.log(
    `${path.relative(ROOT, OUTPUT)}: eld ${version} ${DATABASE}, ${Object.keys(subset.ngrams).length} of ` +
      `${Object.keys(data.ngrams).length} n-grams for ${LANGUAGES.join(', ')}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
