// An agency's labelled question sets for the studio's "what would change" (bot/studio/impact.ts): the
// JSON-lines files of test/eval's form (`{"q": …, "kind": …, "entryId"?: …, "authorityId"?: …}`) in
// the folder STUDIO_LABELLED_DIR names, laid out as test/eval is: <dir>/<agency>/*.jsonl for an
// agency, and <dir>/*.jsonl for the installation's default agency. A setting rather than a folder
// inside the knowledge: the sets are the installation's measuring tools, not what the bot says, and
// a development checkout points it at test/eval without copying them. Point it only at sets that may
// be read: held-out sets are never read for wording, and the studio shows their questions to editors.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { languageCode } from '../../knowledge/schema.js';
import type { ImpactQuestion } from './impact.js';

const line = z.object({
  q: z.string().min(1).max(2000),
  kind: z.string().min(1).max(40),
  entryId: z.union([z.string().max(200), z.array(z.string().max(200)).max(10)]).optional(),
  authorityId: z.string().max(200).optional(),
  language: languageCode.optional(),
});

/** The lines of the agency's sets, in file and line order; a line that does not parse is skipped and counted. */
export function loadLabelledSets(dir: string | undefined, agency: string, defaultAgency: string): { questions: ImpactQuestion[]; skipped: number } {
  const questions: ImpactQuestion[] = [];
  let skipped = 0;
  if (dir === undefined) return { questions, skipped };
  const folders = [path.join(dir, agency), ...(agency === defaultAgency ? [dir] : [])];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder, { withFileTypes: true })) {
      if (!file.isFile() || !file.name.endsWith('.jsonl')) continue;
      const set = path.basename(file.name, '.jsonl');
      for (const text of readFileSync(path.join(folder, file.name), 'utf8').split('\n')) {
        if (text.trim() === '') continue;
        let parsed: z.infer<typeof line> | undefined;
        try {
          parsed = line.safeParse(JSON.parse(text)).data;
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined) {
          skipped++;
          continue;
        }
        questions.push({
          text: parsed.q,
          language: parsed.language ?? 'lv',
          source: {
            kind: 'labelled',
            set,
            expected: {
              kind: parsed.kind,
              ...(parsed.entryId === undefined ? {} : { entryId: parsed.entryId }),
              ...(parsed.authorityId === undefined ? {} : { authorityId: parsed.authorityId }),
            },
          },
        });
      }
    }
  }
  return { questions, skipped };
}
