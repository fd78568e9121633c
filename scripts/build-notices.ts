// Writes THIRD-PARTY-NOTICES.txt: every third-party package and data file Padoms ships or serves,
// each with its name, version, licence and licence text, from package-lock.json (which packages a
// production install has, at which versions, under which declared licence) and the installed
// packages (their licence files and NOTICE files). The bot serves the file at
// /third-party-notices.txt (bot/web/about.ts), linked from its pages.
//
// Usage (from the project root, after `npm ci`):
//   npm run notices           writes THIRD-PARTY-NOTICES.txt
//   npm run notices:check     fails if the file is not what the lock file and the packages give (CI)
// Re-run it after any change to the dependencies, the version, scripts/licence-policy.ts or the files
// under scripts/notices/ (the texts that some packages do not carry themselves).
//
// What is in it: the shipped data files (eld's language data, the Latvian dictionary); what some
// packages carry inside under another licence (CONTAINED); Web Chat, served as one bundle, with the
// packages the lock file says it is built from and the bundle's own licence comments; then every
// production package of the lock file that a production install has (dev-only packages and other
// platforms' binaries are not shipped), and the licence texts, each given once with the packages
// that carry it.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LICENCE_PATH, NOTICES_FILE, NOTICES_PATH } from '../bot/web/about.js';
import { CONTAINED, EXCEPTIONS, PROJECT_LICENCE } from './licence-policy.js';
const WEB_CHAT = 'botframework-webchat';
const WEB_CHAT_PATH = '/webchat/webchat.js';

interface LockEntry {
  name?: string;
  version?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Manifest {
  name?: string;
  version?: string;
  author?: unknown;
  repository?: unknown;
  homepage?: unknown;
}

export interface ShippedPackage {
  name: string;
  version: string;
  /** As the notices give it: the lock file's `license`, or the reviewed exception's reading. */
  licence: string;
  /** Where the lock file puts it (several for a package installed at more than one place). */
  locations: string[];
  dir: string;
  source: string | undefined;
  author: string | undefined;
  /** In the Web Chat bundle (botframework-webchat and what its dependencies reach in the lock file). */
  webChat: boolean;
  /** Its licence text: its licence and NOTICE files, or what stands in for them. */
  text: string;
}

/** The production packages of the lock file that are installed, with their licence texts. */
export function shippedPackages(root: string): ShippedPackage[] {
  const lock = (JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  const shipped = (location: string, entry: LockEntry) => location !== '' && entry.dev !== true && entry.devOptional !== true;
  const webChat = webChatClosure(lock, shipped);
  const byId = new Map<string, ShippedPackage>();
  const problems: string[] = [];
  for (const [location, entry] of Object.entries(lock)) {
    if (!shipped(location, entry)) continue;
    const dir = path.join(root, location);
    const name = entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!existsSync(path.join(dir, 'package.json'))) {
      if (entry.optional !== true) problems.push(`${name}@${entry.version} is in the lock file but not installed (${location})`);
      continue; // another platform's binary
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    if (manifest.version !== entry.version) {
      problems.push(`${location} is ${manifest.version ?? 'unversioned'}, the lock file says ${entry.version}`);
      continue;
    }
    const id = `${name}@${entry.version}`;
    const known = byId.get(id);
    if (known !== undefined) {
      known.locations.push(location);
      known.webChat ||= webChat.has(location);
      continue;
    }
    const exception = EXCEPTIONS.find((e) => e.name === name && e.version === entry.version);
    const licence = exception?.licence ?? entry.license ?? 'none declared';
    byId.set(id, {
      name,
      version: entry.version ?? '',
      licence,
      locations: [location],
      dir,
      source: sourceUrl(manifest),
      author: person(manifest.author),
      webChat: webChat.has(location),
      text: licenceText(dir, licence, person(manifest.author)),
    });
  }
  if (problems.length > 0) throw new Error(`notices: the installed packages are not the lock file's (run npm ci):\n  ${problems.join('\n  ')}`);
  return [...byId.values()].sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version));
}

/** The lock file's locations reached from botframework-webchat by its dependencies (peers included). */
function webChatClosure(lock: Record<string, LockEntry>, shipped: (location: string, entry: LockEntry) => boolean): Set<string> {
  const start = `node_modules/${WEB_CHAT}`;
  const reached = new Set<string>();
  const queue = lock[start] === undefined ? [] : [start];
  while (queue.length > 0) {
    const location = queue.shift() as string;
    if (reached.has(location)) continue;
    reached.add(location);
    const entry = lock[location] as LockEntry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const found = resolveIn(lock, location, dep);
      if (found !== undefined && shipped(found, lock[found] as LockEntry)) queue.push(found);
    }
  }
  return reached;
}

/** Node's lookup in the lock file: the nearest node_modules/<dep> up from `from`. */
function resolveIn(lock: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${dep}`;
    if (lock[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

const LICENCE_FILE = /^(licen[cs]e|copying|notice|unlicense)([-._ ][\w.-]*)?$/i;
const NOT_A_TEXT = /\.(js|cjs|mjs|ts|json|map)$/i;

/** The package's licence and NOTICE files; without any, its README's licence section and the standard text. */
function licenceText(dir: string, licence: string, author: string | undefined): string {
  const files = readdirSync(dir)
    .filter((f) => LICENCE_FILE.test(f) && !NOT_A_TEXT.test(f) && statSync(path.join(dir, f)).isFile())
    .sort(compare);
  if (files.length === 1) return clean(readFileSync(path.join(dir, files[0] as string), 'utf8'));
  if (files.length > 1) return files.map((f) => `[${f}]\n${clean(readFileSync(path.join(dir, f), 'utf8'))}`).join('\n\n');

  const parts = ['The package carries no licence file.'];
  const readme = readmeLicence(dir);
  if (readme !== undefined) parts.push(`Its README says:\n\n${indent(readme)}`);
  if (author !== undefined) parts.push(`Its author (package.json): ${author}`);
  const standard = standardText(licence);
  parts.push(standard ?? `The text of ${licence}: https://spdx.org/licenses/${encodeURIComponent(licence)}.html`);
  return parts.join('\n\n');
}

/** Where the standard text of a package's licence is, for a package that carries none. */
function standardText(licence: string): string | undefined {
  if (/\bMIT\b/.test(licence) && !/\bMIT-0\b/.test(licence)) return 'The MIT licence: its text is [MIT] in section 6.';
  if (licence === 'CC0-1.0') return 'CC0-1.0: its text is [CC0-1.0] in section 6.';
  if (licence === 'CC-BY-3.0') return 'The CC-BY-3.0 text: https://creativecommons.org/licenses/by/3.0/legalcode';
  return undefined;
}

/** The "License" section of the package's README, if it has one. */
function readmeLicence(dir: string): string | undefined {
  const readme = readdirSync(dir).find((f) => /^readme(\.(md|markdown|txt))?$/i.test(f));
  if (readme === undefined) return undefined;
  const lines = readFileSync(path.join(dir, readme), 'utf8').replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((l) => /^#{1,6}\s*licen[cs]e\b/i.test(l.trim()));
  if (start === -1) return undefined;
  const level = (lines[start] as string).trim().match(/^#+/)?.[0].length ?? 1;
  const end = lines.findIndex((l, i) => i > start && /^#{1,6}\s/.test(l.trim()) && (l.trim().match(/^#+/)?.[0].length ?? 7) <= level);
  const section = clean(lines.slice(start, end === -1 ? undefined : end).join('\n'));
  return section.length > 2000 ? `${section.slice(0, 2000)}\n…` : section;
}

/** A text from scripts/notices/. */
function notice(file: string): string {
  return clean(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'notices', file), 'utf8'));
}

function sourceUrl(manifest: Manifest): string | undefined {
  const repo = manifest.repository;
  const raw =
    typeof repo === 'string'
      ? repo
      : typeof repo === 'object' && repo !== null && typeof (repo as { url?: unknown }).url === 'string'
        ? (repo as { url: string }).url
        : undefined;
  if (raw !== undefined) {
    const url = raw
      .replace(/^git\+/, '')
      .replace(/^git:\/\//, 'https://')
      .replace(/^ssh:\/\/git@/, 'https://')
      .replace(/^git@([^:]+):/, 'https://$1/')
      .replace(/^github:/, 'https://github.com/')
      .replace(/^(gitlab|bitbucket):/, 'https://$1.com/')
      .replace(/\.git$/, '');
    return /^[\w.-]+\/[\w.-]+$/.test(url) ? `https://github.com/${url}` : url;
  }
  return typeof manifest.homepage === 'string' ? manifest.homepage : undefined;
}

function person(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'object' && value !== null) {
    const { name, email } = value as { name?: unknown; email?: unknown };
    if (typeof name === 'string') return typeof email === 'string' ? `${name} <${email}>` : name;
  }
  return undefined;
}

function clean(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : `    ${l}`))
    .join('\n');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function heading(text: string, rule: string): string {
  return `${text}\n${rule.repeat(Math.min(text.length, 100))}`;
}

/** The whole notices file. */
export function renderNotices(root: string): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
  const packages = shippedPackages(root);
  const find = (name: string) => packages.find((p) => p.name === name);
  const webChat = find(WEB_CHAT);
  const eld = find('eld');
  const dictionary = find('dictionary-lv');
  if (webChat === undefined || eld === undefined || dictionary === undefined)
    throw new Error(`notices: ${WEB_CHAT}, eld and dictionary-lv must be production packages`);

  // Each distinct text once, numbered in the order of the packages that carry it.
  const texts = new Map<string, { id: string; packages: ShippedPackage[] }>();
  for (const p of packages) {
    const known = texts.get(p.text);
    if (known) known.packages.push(p);
    else texts.set(p.text, { id: `T${texts.size + 1}`, packages: [p] });
  }
  const textId = (p: ShippedPackage) => (texts.get(p.text) as { id: string }).id;
  const label = (p: ShippedPackage) => `${p.name} ${p.version}`;

  const out: string[] = [];
  out.push(
    heading(`THIRD-PARTY NOTICES: Padoms ${pkg.version ?? ''}`.trim(), '='),
    '',
    `Padoms is licensed under the ${PROJECT_LICENCE} (the file LICENSE; served at ${LICENCE_PATH}).`,
    'It ships and serves the third-party software and data below, each under its own licence. This',
    `file is generated by \`npm run notices\` from package-lock.json and the installed packages (${packages.length}`,
    `packages of a production install); do not edit it. The bot serves it at ${NOTICES_PATH}.`,
    '',
    'Contents: 1. Data files  2. Works contained in packages  3. Web Chat (served to browsers)',
    '          4. Every shipped package  5. Licence texts  6. Texts the packages do not carry',
    '',
  );

  out.push(heading('1. Data files shipped with Padoms', '-'), '');
  out.push(
    `bot/language/eld-subset/ngrams.ts: language-detection data derived from eld ${eld.version}`,
    `  (${eld.source ?? 'npm "eld"'}), by ${eld.author ?? 'its author'}: its n-gram database`,
    '  src/ngrams/extrasmall.js, reduced to the languages Padoms detects and stored as JSON (ngrams.json',
    '  beside it) by scripts/build-eld-subset.ts (ngrams.ts says so in its header).',
    `  Licence: ${eld.licence}; the text is bot/language/eld-subset/LICENSE-eld, and ${textId(eld)} below.`,
    '',
    `node_modules/dictionary-lv (dictionary-lv ${dictionary.version}): index.aff and index.dic, the Latvian Hunspell`,
    '  dictionary, © 2002-2020 Janis Eisaks (http://dict.dv.lv), read unmodified at run time by',
    '  knowledge/latvian-words.ts. These files are their own source form and can be replaced.',
    `  Licence: ${dictionary.licence}.`,
    `  The dictionary's notice is ${textId(dictionary)} below; the LGPL-2.1 text is [LGPL-2.1] in section 6;`,
    '  index.js and index.d.ts are © Titus Wormer under the MIT licence, [MIT] in section 6.',
    '',
  );

  out.push(heading('2. Works contained in packages under another licence than the package', '-'), '');
  for (const c of CONTAINED) {
    const more = (text: string) => wrap(text, 98).map((l) => `  ${l}`);
    out.push(...wrap(`${c.name} ${c.version} contains ${c.what}.`, 100), ...more(`Licence: ${c.licence}.`), ...more(`Padoms takes: ${c.taken}.`));
    if (c.noticeFile !== undefined) out.push(`  Its licence notice: [${c.name}] in section 6.`);
    out.push('');
  }

  const closure = packages.filter((p) => p.webChat);
  const bundleNotice = path.join(webChat.dir, 'dist', 'webchat.js.LICENSE.txt');
  out.push(
    heading(`3. Web Chat, served at ${WEB_CHAT_PATH}`, '-'),
    '',
    `${WEB_CHAT_PATH} is ${WEB_CHAT} ${webChat.version}'s browser bundle (dist/webchat.js), served unmodified;`,
    `its licence is ${webChat.licence} (${textId(webChat)}). Microsoft built it from the packages below, which the lock`,
    `file lists as ${WEB_CHAT}'s dependencies and theirs (${closure.length} packages; the bundle may carry other`,
    'versions of some of them, such as its own React). Each is marked in section 4, with its licence and text.',
    '',
    ...wrap(closure.map(label).join(', '), 100),
    '',
  );
  if (existsSync(bundleNotice)) {
    out.push(
      `The bundle's own licence comments (dist/webchat.js.LICENSE.txt, served at ${WEB_CHAT_PATH}.LICENSE.txt), as shipped:`,
      '',
      indent(clean(readFileSync(bundleNotice, 'utf8'))),
      '',
    );
  }

  out.push(heading('4. Every shipped package: name, version, licence, source, licence text', '-'), '');
  for (const p of packages) {
    const marks = [p.webChat ? 'in the Web Chat bundle' : undefined, p.locations.length > 1 ? `installed ${p.locations.length} times` : undefined].filter(
      Boolean,
    );
    out.push(`${label(p)}: ${p.licence}${marks.length > 0 ? ` (${marks.join('; ')})` : ''}; text ${textId(p)}`);
    if (p.source !== undefined) out.push(`  ${p.source}`);
  }
  out.push('');

  out.push(heading('5. Licence texts, each with the packages that carry it', '-'), '');
  for (const [text, { id, packages: carriers }] of texts) {
    out.push(...wrap(`[${id}] ${carriers.map(label).join(', ')}`, 100), '', indent(text), '', '');
  }

  out.push(heading('6. Texts the packages do not carry themselves', '-'), '');
  out.push('[MIT] The MIT licence: for the packages above that carry no licence file, and dictionary-lv', '');
  out.push(indent(notice('MIT.txt')), '', '');
  out.push('[CC0-1.0] Creative Commons CC0 1.0 Universal: for the packages above that carry no licence file', '');
  out.push(indent(notice('CC0-1.0.txt')), '', '');
  out.push('[LGPL-2.1] GNU Lesser General Public License, version 2.1: dictionary-lv (index.aff, index.dic), Hunspell in hunspell-asm', '');
  out.push(indent(notice('LGPL-2.1.txt')), '', '');
  for (const c of CONTAINED.filter((w) => w.noticeFile !== undefined)) {
    out.push(`[${c.name}] ${c.what}: its licence notice`, '', indent(notice(c.noticeFile as string)), '', '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const file = path.join(root, NOTICES_FILE);
  const text = renderNotices(root);
  if (process.argv.includes('--check')) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current !== text) {
      console.error(`notices: ${NOTICES_FILE} is not what package-lock.json and the installed packages give: run npm run notices and commit it`);
      process.exitCode = 1;
      return;
    }
    console.log(`notices: ${NOTICES_FILE} is current (${Math.round(text.length / 1024)} KB)`);
    return;
  }
  writeFileSync(file, text);
  console.log(`notices: wrote ${NOTICES_FILE} (${Math.round(text.length / 1024)} KB)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
