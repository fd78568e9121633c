// Checks the software bill of materials that `npm run sbom` writes (CycloneDX JSON, by
// @cyclonedx/cyclonedx-npm from the lock file and node_modules, production packages only; the tool
// has already validated it against the CycloneDX schema with --validate): it parses as JSON, is a
// CycloneDX BOM for this version of Padoms, and lists the production packages the lock file has,
// Web Chat, eld and dictionary-lv among them.
//
// Usage (from the project root): npm run sbom && npm run sbom:check
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Component {
  name?: string;
  group?: string;
  version?: string;
  licenses?: unknown[];
  components?: Component[];
}

interface Bom {
  bomFormat?: unknown;
  specVersion?: unknown;
  metadata?: { component?: Component };
  components?: Component[];
}

/** What is wrong with the BOM (nothing: an empty list), and how many components it lists. */
export function sbomProblems(
  bomText: string,
  expected: { name: string; version: string; packages: readonly string[] },
): { problems: string[]; components: number } {
  let bom: Bom;
  try {
    bom = JSON.parse(bomText) as Bom;
  } catch (err) {
    return { problems: [`not JSON: ${(err as Error).message}`], components: 0 };
  }
  const problems: string[] = [];
  if (bom.bomFormat !== 'CycloneDX') problems.push(`bomFormat is ${JSON.stringify(bom.bomFormat)}, not "CycloneDX"`);
  if (typeof bom.specVersion !== 'string') problems.push('no specVersion');
  const main = bom.metadata?.component;
  if (main?.name !== expected.name || main.version !== expected.version)
    problems.push(`its component is ${main?.name}@${main?.version}, not ${expected.name}@${expected.version}`);
  const all: Component[] = [];
  const walk = (list: Component[] | undefined) => {
    for (const c of list ?? []) {
      all.push(c);
      walk(c.components);
    }
  };
  walk(bom.components);
  if (all.length === 0) problems.push('no components');
  const names = new Set(all.map((c) => (c.group ? `${c.group}/${c.name}` : (c.name ?? ''))));
  for (const name of expected.packages) if (!names.has(name)) problems.push(`${name} is not among its components`);
  const unlicensed = all.filter((c) => (c.licenses ?? []).length === 0).map((c) => `${c.name}@${c.version}`);
  if (unlicensed.length > 0)
    console.warn(`sbom: ${unlicensed.length} component(s) without a declared licence (see the licence check's exceptions): ${unlicensed.join(', ')}`);
  return { problems, components: all.length };
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const file = path.resolve(root, process.argv[2] ?? 'dist/sbom.cdx.json');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
  const { problems, components } = sbomProblems(readFileSync(file, 'utf8'), { name: pkg.name, version: pkg.version, packages: Object.keys(pkg.dependencies) });
  if (problems.length > 0) {
    for (const p of problems) console.error(`sbom: ${p}`);
    process.exitCode = 1;
    return;
  }
  console.log(`sbom: ${path.relative(root, file)} is a CycloneDX BOM of ${pkg.name} ${pkg.version} with ${components} components`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
