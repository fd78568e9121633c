// What may ship with Padoms (EUPL-1.2), read by the licence check (scripts/check-licences.ts) and
// the notices (scripts/build-notices.ts). Every production package's licence must be one of
// ALLOWED, or an SPDX expression those satisfy (an AND needs all its parts, an OR one of them);
// anything else, a missing licence included, fails the check with the package named. A package that
// needs a decision is an EXCEPTION, pinned to its exact version with the evidence and the reason, so
// an upgrade brings it back for review. CONTAINED names what a package carries inside it under
// another licence than its own field says (the check cannot see it; the notices say it).

/** Padoms' own licence: LICENSE and package.json. */
export const PROJECT_LICENCE = 'EUPL-1.2';

export interface AllowedLicence {
  id: string;
  why: string;
}

const PERMISSIVE = 'permissive: keep the copyright and licence notice (the notices do); nothing in it conflicts with distributing the whole under the EUPL';
const ATTRIBUTION =
  'attribution, for data (browser tables, SPDX exception texts, public holidays): credit given in the notices; no conditions on the software using the data';

/**
 * The licences any production dependency may carry. Permissive and attribution-only licences: a
 * work under the EUPL may include them. Not here, so decided per package (EXCEPTIONS): weak
 * copyleft (LGPL, MPL, EPL), which the EUPL's appendix lists as compatible but which has conditions
 * of its own. Never: strong copyleft (GPL, AGPL, SSPL, OSL), which would put the combined work under
 * that licence (the EUPL's compatibility clause); non-commercial or no-derivatives terms; no licence.
 */
export const ALLOWED: readonly AllowedLicence[] = [
  { id: 'MIT', why: PERMISSIVE },
  { id: 'MIT-0', why: `${PERMISSIVE} (not even the notice is required)` },
  { id: 'ISC', why: PERMISSIVE },
  { id: '0BSD', why: `${PERMISSIVE} (not even the notice is required)` },
  { id: 'BSD-2-Clause', why: PERMISSIVE },
  { id: 'BSD-3-Clause', why: `${PERMISSIVE}; no use of the authors' names for endorsement` },
  { id: 'Apache-2.0', why: `${PERMISSIVE}; its NOTICE files travel with it (the notices include them); a patent licence, no conflict with the EUPL` },
  { id: 'BlueOak-1.0.0', why: PERMISSIVE },
  { id: 'Python-2.0', why: `${PERMISSIVE} (the PSF licence stack of argparse)` },
  { id: 'PSF-2.0', why: PERMISSIVE },
  { id: 'Unlicense', why: 'public-domain dedication: no conditions' },
  { id: 'CC0-1.0', why: 'public-domain dedication: no conditions' },
  { id: 'CC-BY-3.0', why: ATTRIBUTION },
  { id: 'CC-BY-4.0', why: ATTRIBUTION },
];

export interface LicenceException {
  name: string;
  /** Exact: a new version is reviewed again. */
  version: string;
  /** The `license` field as the package has it (undefined: none). The check fails if it changes. */
  declared: string | undefined;
  /** The licence we read it to be, as the notices give it. */
  licence: string;
  evidence: string;
  why: string;
}

export const EXCEPTIONS: readonly LicenceException[] = [
  {
    name: 'cldrjs',
    version: '0.5.5',
    declared: undefined,
    licence: 'MIT',
    evidence: 'no `license` field; the old `licenses` array says MIT, and the package ships LICENSE-MIT, the MIT text',
    why: 'MIT, a licence of ALLOWED, stated the old way (Web Chat, through globalize)',
  },
  {
    name: 'simple-lru-cache',
    version: '0.0.2',
    declared: undefined,
    licence: 'MIT',
    evidence: 'no `license` field; the old `licenses` array says MIT, and its LICENSE file is the MIT text (© 2013 Mercadolibre.com)',
    why: 'MIT, a licence of ALLOWED, stated the old way (Web Chat, through the Speech SDK)',
  },
  {
    name: 'escape-regexp-component',
    version: '1.0.2',
    declared: undefined,
    licence: 'MIT',
    evidence: 'no `license` field and no licence file; its Readme.md ends with "License: MIT"',
    why: 'MIT, a licence of ALLOWED, stated in the README only (restify); the notices give the MIT text',
  },
  {
    name: 'deep-freeze-strict',
    version: '1.1.1',
    declared: 'public domain',
    licence: 'LicenseRef-public-domain',
    evidence: 'its LICENSE: "This software is released to the public domain."',
    why: 'a public-domain dedication (not an SPDX identifier): no conditions (Web Chat)',
  },
  {
    name: 'dictionary-lv',
    version: '2.0.0',
    declared: 'LGPL-2.1',
    licence: 'LGPL-2.1-or-later (index.aff, index.dic) AND MIT (index.js, index.d.ts)',
    evidence:
      'the dictionary files\' header (its `license` file): © 2002-2020 Janis Eisaks, LGPL 2.1 "or (at your option) any later version"; its readme: the rest MIT © Titus Wormer',
    why: 'weak copyleft, decided for this package: the Latvian Hunspell dictionary is read unmodified at run time from its own files (knowledge/latvian-words.ts), which stay replaceable and are their own source; the LGPL-2.1 is in the EUPL-1.2 appendix of compatible licences; the notices carry its notice and the LGPL-2.1 text',
  },
  {
    name: 'duck',
    version: '0.1.12',
    declared: 'BSD',
    licence: 'BSD-2-Clause',
    evidence:
      'its LICENSE: "Copyright (c) 2013, Michael Williamson", the two-clause BSD text (redistribution of source and of binaries, no endorsement clause)',
    why: 'BSD-2-Clause, a licence of ALLOWED, declared without its variant (the studio import, through mammoth and lop)',
  },
  {
    name: 'pako',
    version: '1.0.11',
    declared: '(MIT AND Zlib)',
    licence: 'MIT AND Zlib',
    evidence:
      'its LICENSE: the MIT text (© 2014-2017 Vitaly Puzrin and Andrei Tuputcyn); its README: a port of zlib 1.2.8, whose part is under the zlib licence',
    why: 'the zlib licence is permissive (keep its notice, mark altered versions; no conditions on the work using it) and OSI-approved; MIT is in ALLOWED (the studio import, through jszip in mammoth)',
  },
];

export interface ContainedWork {
  /** The package that carries it. */
  name: string;
  version: string;
  what: string;
  licence: string;
  /** Which of the licence's choices Padoms takes, and why it may. */
  taken: string;
  /** A file under scripts/notices/ with its licence notice, if the package does not carry one. */
  noticeFile?: string;
}

export const CONTAINED: readonly ContainedWork[] = [
  {
    name: 'hunspell-asm',
    version: '4.0.2',
    what: 'Hunspell, the spell checker, compiled to WebAssembly with Emscripten (dist/cjs/lib/)',
    licence: 'MPL-1.1 OR GPL-2.0-or-later OR LGPL-2.1-or-later (Hunspell); MIT OR NCSA (the Emscripten runtime)',
    taken:
      'LGPL-2.1-or-later for Hunspell, in the EUPL-1.2 appendix: the WebAssembly module is its own file, loaded at run time and replaceable; the package is used unmodified (its README links the licence; the notices carry it)',
    noticeFile: 'hunspell.txt',
  },
  {
    name: 'better-sqlite3',
    version: '12.11.1',
    what: 'SQLite (deps/sqlite3), compiled into its native addon at install',
    licence: 'LicenseRef-public-domain (SQLite)',
    taken: 'SQLite is in the public domain: no conditions',
  },
];
