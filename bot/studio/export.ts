// The knowledge studio's way back to files: an agency's published knowledge written as its YAML
// folder (profile.yaml and entries/<id>.yaml), which `kb:check` and the registry read as they read
// any agency's folder. The profile is the folder's own (the studio does not edit it); the entries are
// the store's latest versions, or the folder's when the agency never published. Fields left at their
// schema default (kind topic, no links, no follow-ups, no "offer a person") are left out, as people
// write the files: loading the export gives the very entries published.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { agencyDir } from '../../knowledge/load.js';
import { KnowledgeLoadError } from '../../knowledge/source.js';
import type { StudioPublishing } from './publishing.js';

/** A field and the value the schema gives it when left out (knowledge/schema.ts `knowledgeEntry`). */
const DEFAULTS: Readonly<Record<string, unknown>> = { kind: 'topic', links: [], followUps: [], offerStaff: false };

/** The entry as a file would say it: defaults left out, the other fields in their order. */
export function asFileEntry(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  return Object.fromEntries(Object.entries(entry).filter(([key, value]) => !(key in DEFAULTS && JSON.stringify(value) === JSON.stringify(DEFAULTS[key]))));
}

export interface ExportResult {
  entries: number;
  /** The entries came from the store (else the agency never published, and they are its files'). */
  fromStore: boolean;
}

/**
 * Writes the agency's folder under `out` (out/profile.yaml, out/entries/…). Entries files already
 * in out/entries are replaced: an entry removed in the studio must not come back from an older export.
 */
export async function exportAgency(options: { publishing: StudioPublishing; knowledgeDir: string; agency: string; out: string }): Promise<ExportResult> {
  const { publishing, knowledgeDir, agency, out } = options;
  const published = await publishing.published(agency);
  // Files that do not load are no export: writing none of their entries would empty the folder.
  if (published.refused) throw new KnowledgeLoadError(published.refused);
  const entriesDir = path.join(out, 'entries');
  mkdirSync(entriesDir, { recursive: true });
  for (const name of readdirSync(entriesDir)) if (/\.ya?ml$/.test(name)) rmSync(path.join(entriesDir, name));
  copyFileSync(path.join(agencyDir(knowledgeDir, agency), 'profile.yaml'), path.join(out, 'profile.yaml'));
  for (const [id, { entry }] of published.entries) {
    // No line folding: an answer stays one line of text, as it was written.
    writeFileSync(path.join(entriesDir, `${id}.yaml`), stringify(asFileEntry(entry), { lineWidth: 0 }));
  }
  return { entries: published.entries.size, fromStore: published.fromStore };
}
