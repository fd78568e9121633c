// The composition root: builds the server, adapters, bot and stores from configuration, without
// listening. The entry file (main.ts) and the tests build the app the same way.
import path from 'node:path';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import type restify from 'restify';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createServer } from './server.js';
import { loopbackOnly } from './guards.js';
import { loadTexts, type Texts } from './i18n.js';
import { PadomsBot } from './padoms-bot.js';
import { createStateAccessors } from './state.js';
import { MemoryRecords, type TurnRecords } from './storage/records.js';
import { openDatabase, SqliteRecords, SqliteStorage } from './storage/sqlite.js';
import { KnowledgeSource } from '../knowledge/source.js';
import { isAbusive, loadAbuseLexicon } from '../knowledge/conduct.js';
import type { LanguageCode } from '../knowledge/schema.js';
import type { TurnDeps } from '../dialogs/respond.js';
import { detectLanguage } from './language/detect.js';
import { requestedLanguage } from './language/request.js';
import { DirectLineAdapter } from './directline/adapter.js';
import { MemoryDirectLineStore } from './directline/store.js';
import { mountDirectLine } from './directline/routes.js';
import { tokenKeyFrom } from './directline/tokens.js';
import { mountWebChat } from './web/routes.js';

export interface AppDeps {
  log?: Logger;
  now?: () => Date;
  /** `memory` keeps everything in the process (tests, ask); default: SQLite under DATA_DIR. */
  storage?: 'sqlite' | 'memory';
  /** Listen for decisions (ask, metrics). */
  onDecision?: TurnDeps['onDecision'];
}

export interface App {
  server: restify.Server;
  bot: PadomsBot;
  directLine: DirectLineAdapter;
  /** Runs one turn of the bot: what every adapter calls. */
  logic: (context: TurnContext) => Promise<void>;
  knowledge: KnowledgeSource;
  texts: Texts;
  records: TurnRecords;
  turnDeps: TurnDeps;
  log: Logger;
  close(): Promise<void>;
}

/** Longest citizen message the bot reads. */
const MAX_MESSAGE_LENGTH = 2000;

export function createApp(config: Config, deps: AppDeps = {}): App {
  const log = deps.log ?? createLogger(config.LOG_LEVEL);
  const now = deps.now ?? (() => new Date());

  const knowledge = new KnowledgeSource({ knowledgeDir: config.KNOWLEDGE_DIR, agency: config.AGENCY, now }, log);
  const texts = loadTexts(config.LOCALES_DIR);
  const lexicon = loadAbuseLexicon(path.join(config.KNOWLEDGE_DIR, 'conduct', 'lexicon.yaml'));

  const useSqlite = (deps.storage ?? 'sqlite') === 'sqlite';
  const db = useSqlite ? openDatabase(config.DATA_DIR) : undefined;
  const storage: Storage = db ? new SqliteStorage(db) : new MemoryStorage();
  const records: TurnRecords = db ? new SqliteRecords(db) : new MemoryRecords();
  const state = createStateAccessors(new ConversationState(storage));

  const turnDeps: TurnDeps = {
    knowledge: () => knowledge.current,
    texts,
    state,
    records,
    languages: { detectLanguage, requestedLanguage },
    isAbusive: (text) => isAbusive(text, lexicon),
    offeredLanguages: () =>
      knowledge.current.profile.staffLanguages.filter((l): l is LanguageCode => texts.languagesWithTexts.includes(l)),
    now,
    maxMessageLength: MAX_MESSAGE_LENGTH,
    ...(deps.onDecision ? { onDecision: deps.onDecision } : {}),
  };
  const bot = new PadomsBot(turnDeps, log);
  const logic = (context: TurnContext) => bot.run(context);

  const server = createServer({ maxBodyBytes: config.MAX_BODY_BYTES, log });

  // Bot Framework channel (Azure Bot Service, Emulator).
  const cloudAdapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: config.MicrosoftAppId,
      MicrosoftAppPassword: config.MicrosoftAppPassword,
      MicrosoftAppType: config.MicrosoftAppType,
      MicrosoftAppTenantId: config.MicrosoftAppTenantId,
    }),
  );
  const authDisabled = config.MicrosoftAppId === '';
  if (authDisabled) log.warn('MicrosoftAppId is empty: Bot Framework authentication is off, /api/messages accepts loopback clients only');
  server.post('/api/messages', ...(authDisabled ? [loopbackOnly] : []), async (req: restify.Request, res: restify.Response) => {
    await cloudAdapter.process(req, res, logic);
  });

  // Self-hosted Direct Line 3.0 for the embedded Web Chat widget: no Azure account needed.
  const directLine = new DirectLineAdapter({ store: new MemoryDirectLineStore({ now }), now, log });
  mountDirectLine(server, {
    adapter: directLine,
    logic,
    tokenKey: tokenKeyFrom(config.DIRECTLINE_TOKEN_SECRET),
    ...(config.DIRECTLINE_SECRET ? { directLineSecret: config.DIRECTLINE_SECRET } : {}),
    log,
    now,
  });
  mountWebChat(server, { profile: () => knowledge.current.profile, log });

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    const checks = { knowledge: knowledge.current.entries.size > 0, storage: storageReachable(db) };
    res.send(Object.values(checks).every(Boolean) ? 200 : 503, { status: Object.values(checks).every(Boolean) ? 'ready' : 'not ready', checks });
  });

  if (config.KNOWLEDGE_HOT_RELOAD) knowledge.watch();

  return {
    server,
    bot,
    directLine,
    logic,
    knowledge,
    texts,
    records,
    turnDeps,
    log,
    async close() {
      knowledge.close();
      server.close();
      db?.close();
    },
  };
}

function storageReachable(db: ReturnType<typeof openDatabase> | undefined): boolean {
  if (!db) return true;
  try {
    db.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}
