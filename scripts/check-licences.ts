// The licence check (`npm run licences:check`, in CI): every production dependency's licence
// against the allow-list of scripts/licence-policy.ts, with licensee (npm "licensee", which reads
// the installed tree the way npm does, with @npmcli/arborist, and evaluates SPDX expressions: an
// AND needs every part allowed, an OR one). Fails, naming each package, on a licence not allowed, a
// missing or unparseable one, an exception whose package or declared licence changed, a production
// package of package-lock.json that licensee did not check, and a LICENSE or package.json that is
// not the project's licence.
//
// Usage (from the project root, after `npm ci`): npm run licences:check
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import licensee, { type LicenseeResult } from 'licensee';
import { ALLOWED, CONTAINED, EXCEPTIONS, PROJECT_LICENCE, type AllowedLicence, type ContainedWork, type LicenceException } from './licence-policy.js';

export interface LicencePolicy {
  allowed: readonly AllowedLicence[];
  exceptions: readonly LicenceException[];
  contained: readonly ContainedWork[];
}

export const POLICY: LicencePolicy = { allowed: ALLOWED, exceptions: EXCEPTIONS, contained: CONTAINED };

export interface LicenceProblem {
  package: string;
  problem: string;
}

export interface LicenceReport {
  checked: number;
  problems: LicenceProblem[];
}

interface LockEntry {
  name?: string;
  version?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
}

/** Runs licensee on `root`'s installed production packages and checks the rest of the policy. */
export async function checkLicences(root: string, policy: LicencePolicy = POLICY): Promise<LicenceReport> {
  const results = await runLicensee(installRoot(root), policy);
  const problems: LicenceProblem[] = [];
  const seen = new Map<string, LicenseeResult>();
  for (const result of results) for (const one of [result, ...(result.duplicates ?? [])]) seen.set(`${one.name}@${one.version}`, one);

  for (const result of results) {
    const id = `${result.name}@${result.version}`;
    const exception = policy.exceptions.find((e) => e.name === result.name && e.version === result.version);
    if (exception !== undefined) {
      if (result.license !== exception.declared) {
        problems.push({
          package: id,
          problem: `its declared licence is now ${describe(result.license)}, not ${describe(exception.declared)} as its exception says: review it`,
        });
      }
      continue;
    }
    if (!result.approved) problems.push({ package: id, problem: `licence ${describe(result.license)} is not allowed (${where(root, result.path)})` });
  }
  for (const e of policy.exceptions) {
    if (!seen.has(`${e.name}@${e.version}`))
      problems.push({
        package: `${e.name}@${e.version}`,
        problem: 'an exception for a package no longer installed: review the new version and update the exception',
      });
  }
  for (const c of policy.contained) {
    if (!seen.has(`${c.name}@${c.version}`))
      problems.push({ package: `${c.name}@${c.version}`, problem: 'CONTAINED names a version no longer installed: review what the new one carries' });
  }

  // Every production package of the lock file that is installed was checked.
  const lockFile = path.join(root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> };
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (location === '' || entry.dev === true || entry.devOptional === true) continue;
    const name = entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const id = `${name}@${entry.version}`;
    if (seen.has(id)) continue;
    if (!existsSync(path.join(root, location))) {
      if (entry.optional === true) continue; // another platform's binary
      problems.push({ package: id, problem: `in package-lock.json but not installed (${location}): run npm ci` });
    } else {
      problems.push({ package: id, problem: `in package-lock.json (${location}) but not checked by licensee` });
    }
  }

  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { license?: unknown };
  if (pkg.license !== PROJECT_LICENCE)
    problems.push({ package: 'padoms', problem: `package.json's license is ${describe(pkg.license)}, not ${PROJECT_LICENCE}` });
  const licence = existsSync(path.join(root, 'LICENSE')) ? readFileSync(path.join(root, 'LICENSE'), 'utf8') : '';
  if (!/^\s*EUROPEAN UNION PUBLIC LICENCE v\. 1\.2\b/.test(licence)) problems.push({ package: 'padoms', problem: 'LICENSE is not the EUPL-1.2 text' });

  return { checked: results.length, problems };
}

function runLicensee(root: string, policy: LicencePolicy): Promise<LicenseeResult[]> {
  return new Promise((resolve, reject) => {
    licensee(
      {
        licenses: { spdx: policy.allowed.map((l) => l.id) },
        packages: Object.fromEntries(policy.exceptions.map((e) => [e.name, e.version])),
        productionOnly: true,
        corrections: false,
      },
      root,
      (err, results) => (err ? reject(err) : resolve(results)),
    );
  });
}

/**
 * Where the packages are installed. A work tree whose node_modules is a link to another checkout's
 * (arborist cannot read a tree through it) is checked where the link points, with a note.
 */
function installRoot(root: string): string {
  const modules = path.join(root, 'node_modules');
  if (!existsSync(modules) || !lstatSync(modules).isSymbolicLink()) return root;
  const target = path.dirname(realpathSync(modules));
  console.warn(`note: node_modules is a link; checking the packages installed in ${target}, as its package.json declares them`);
  return target;
}

function describe(licence: unknown): string {
  return licence === undefined || licence === null ? 'none' : JSON.stringify(licence);
}

function where(root: string, dir: string): string {
  return path.relative(root, dir) || dir;
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const started = Date.now();
  const { checked, problems } = await checkLicences(root);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    for (const p of problems) console.error(`NOT ALLOWED ${p.package}: ${p.problem}`);
    console.error(
      `licences: ${problems.length} problem(s) in ${checked} production packages (allowed: ${ALLOWED.map((l) => l.id).join(', ')}; see scripts/licence-policy.ts)`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(
    `licences: ${checked} production packages, every licence allowed for ${PROJECT_LICENCE} (${EXCEPTIONS.length} reviewed exceptions), ${seconds} s`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
