// `npm run kb:check`: every problem in the knowledge of every agency served (AGENCIES, or every
// folder under knowledge/agencies/), each naming file, entry and field. Exit 1 on errors in any
// agency (warnings such as entries due for review do not fail): a refused agency would not be served.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { loadKnowledgeFiles, formatProblem } from '../../knowledge/load.js';

const config = loadConfig(process.env);
const root = path.join(config.KNOWLEDGE_DIR, 'agencies');
const agencies =
  config.AGENCIES ??
  (existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [config.AGENCY]);

for (const agency of agencies) {
  const result = loadKnowledgeFiles({ knowledgeDir: config.KNOWLEDGE_DIR, agency, today: new Date() });
  for (const p of result.problems) console.log(formatProblem(p));
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const warnings = result.problems.length - errors;
  if (result.ok) {
    const { entries, authorities, intents } = result.files;
    console.log(`${agency}: ${entries.length} entries, ${authorities.length} authorities, ${intents.length} intents; ${warnings} warning(s), no errors.`);
  } else {
    console.log(`${agency}: ${errors} error(s), ${warnings} warning(s). It will not be served until the errors are fixed.`);
    process.exitCode = 1;
  }
}
