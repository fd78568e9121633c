// Layers that do not import each other (issue 18): storage is at the bottom, and the channels,
// the handover side and the dialogs sit above it. Type-only imports, re-exports and dynamic
// imports count as well: each ties one layer's code to another's.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// `from './x.js'` (imports and re-exports) and `import('./x.js')`; our sources quote specifiers
// with single quotes (the formatter's rule) and never build them at run time.
const RELATIVE_SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm;

/** The project files a source file imports, relative to the repository root. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(RELATIVE_SPECIFIER)].map((m) => path.normalize(path.join(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
}

const sources = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));

describe('layers', () => {
  it('storage imports nothing above it: no channel, handover, console or dialog code', () => {
    // What storage may lean on: itself, the logger, redaction and the knowledge schema's types.
    const allowed = [/^bot\/storage\//, /^bot\/log\.ts$/, /^bot\/privacy\//, /^knowledge\/schema\.ts$/];
    const crossings = sources('bot/storage').flatMap((file) => importsOf(file).filter((target) => !allowed.some((a) => a.test(target))).map((target) => `${file} → ${target}`));
    expect(crossings).toEqual([]);
  });

  it('the scanner sees an import that crosses', () => {
    // The rule above must be able to fail: the Direct Line channel does import storage.
    expect(importsOf('bot/directline/adapter.ts').some((t) => t.startsWith('bot/storage/'))).toBe(true);
  });
});
