// `npm run kb:check`: every problem in the knowledge base at once, each naming file, entry and field.
// Exit 1 on errors (warnings such as entries due for review do not fail).
import { loadConfig } from '../config.js';
import { loadKnowledgeFiles, formatProblem } from '../../knowledge/load.js';

const config = loadConfig(process.env);
const result = loadKnowledgeFiles({ knowledgeDir: config.KNOWLEDGE_DIR, agency: config.AGENCY, today: new Date() });
for (const p of result.problems) console.log(formatProblem(p));
const errors = result.problems.filter((p) => p.severity === 'error').length;
const warnings = result.problems.length - errors;
if (result.ok) {
  const { entries, authorities, intents } = result.files;
  console.log(`${config.AGENCY}: ${entries.length} entries, ${authorities.length} authorities, ${intents.length} intents; ${warnings} warning(s), no errors.`);
} else {
  console.log(`${config.AGENCY}: ${errors} error(s), ${warnings} warning(s). The bot will not start until the errors are fixed.`);
  process.exitCode = 1;
}
