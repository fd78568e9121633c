// `npm run kb:export -- --agency <id> --out <folder>`: the agency's published knowledge from the
// store (SQLite under DATA_DIR, or PostgreSQL at DATABASE_URL) written as its YAML folder:
// <folder>/profile.yaml and <folder>/entries/<id>.yaml. To serve the files again, copy the folder
// over knowledge/agencies/<id>/ and remove the agency's versions from the store (README, "The
// knowledge studio").
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { storageKindFor } from '../storage/open.js';
import { loadSharedFiles } from '../../knowledge/load.js';
import { AGENCY_FOLDER } from '../../knowledge/schema.js';
import { exportAgency } from '../studio/export.js';
import { openKnowledgeStore } from '../studio/open.js';
import { StudioPublishing } from '../studio/publishing.js';

const USAGE = 'usage: npm run kb:export -- --agency <folder name> --out <folder>';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { agency: { type: 'string' }, out: { type: 'string' } }, strict: true }).values;
  } catch {
    console.error(USAGE);
    return 2;
  }
  const { agency, out } = args;
  if (agency === undefined || out === undefined || !AGENCY_FOLDER.test(agency)) {
    console.error(USAGE);
    return 2;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }
  const log = createLogger('warn');
  const kind = storageKindFor(config);
  const store = openKnowledgeStore({ kind: kind === 'memory' ? 'sqlite' : kind }, config, log);
  try {
    const shared = loadSharedFiles(config.KNOWLEDGE_DIR);
    const publishing = new StudioPublishing({
      store,
      knowledgeDir: config.KNOWLEDGE_DIR,
      sharedFiles: () => shared,
      serve: () => {},
      announce: async () => {},
      now: () => new Date(),
    });
    const result = await exportAgency({ publishing, knowledgeDir: config.KNOWLEDGE_DIR, agency, out });
    console.log(
      `${agency}: ${result.entries} entries written to ${out} (${result.fromStore ? 'published in the studio' : 'the files: nothing published in the studio yet'})`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
