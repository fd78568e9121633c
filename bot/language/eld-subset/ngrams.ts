// GENERATED FILE, do not edit: node --import tsx scripts/build-eld-subset.ts (see that script).
//
// The n-gram database of eld 2.1.0 (npm "eld", https://github.com/nitotm/efficient-language-detector-js),
// file src/ngrams/extrasmall.js (type XS60, sha256 c22f3e0f0d4ceec504fe75c24ac9cbe415cd8428354c139dd2e11d9e2f8acc2d),
// reduced to the languages am, ar, az, be, bg, bn, ca, cs, da, de, el, en, es, et, eu, fa, fi, fr, gu, he, hi, hr, hu, hy, is, it, ja, ka, kn, ko, ku, lo, lt, lv, ml, mr, ms, nl, no, or, pa, pl, pt, ro, ru, sk, sl, sq, sr, sv, ta, te, th, tl, tr, uk, ur, vi, yo, zh: 49553 of its 49553 n-grams, each with only
// those languages' scores.
// Language indexes and the language table are eld's, unchanged. Stored as JSON (ngrams.json beside this file): V8
// parses it faster and with far less memory than the same object literal, and keeps no copy of its text.
//
// Copyright 2023 Nito T.M. Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
// except in compliance with the License. A copy is in LICENSE-eld beside this file, or at
// https://www.apache.org/licenses/LICENSE-2.0. Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
// either express or implied. See the License for the specific language governing permissions and limitations.
// Modified for Padoms: languages removed as described above (Apache-2.0 §4(b)). eld 2.1.0 has no NOTICE file.

import ngramsJson from './ngrams.json' with { type: 'json' };

/** eld's database format (its src/ngrams/*.js): per n-gram, a score by language index. */
export type EldNgramsData = {
  type: string;
  languages: Record<string, string>;
  isSubset: boolean;
  ngrams: Record<string, Record<string, number>>;
};

/** The eld version this database was cut from. */
export const ELD_VERSION = '2.1.0';

/** The languages that have scores here (eld's language table still lists all of its languages). */
export const SUBSET_LANGUAGES: readonly string[] = [
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

export const ngramsData: EldNgramsData = ngramsJson;
