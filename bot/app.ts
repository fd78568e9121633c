// The composition root: builds the server, adapters, bot and stores from configuration, without
// listening. The entry file (main.ts) and the tests build the app the same way.
import { ConfigurationBotFrameworkAuthentication, ConversationState, type BotAdapter, type TurnContext } from 'botbuilder';
import type restify from 'restify';
import { ConfigError, type Config } from './config.js';
import { createLogger, errorFields, type Logger } from './log.js';
import { createServer } from './server.js';
import { trackConnections } from './http/drain.js';
import { AZURE_SERVICE_URL_HOSTS, BotFrameworkAdapter, LOCAL_SERVICE_URL_HOSTS, mountBotFramework } from './http/bot-framework.js';
import { loadTexts, type Texts } from './i18n.js';
import { PadomsBot } from './padoms-bot.js';
import { createStateAccessors, newConversationData } from '../dialogs/state.js';
import type { TurnRecords } from './records.js';
import { openStore, storageKindFor } from './storage/open.js';
import type { PadomsStore, RemovedCounts, StorageKind } from './storage/store.js';
import { useRecordingMiddleware } from './storage/recording.js';
import { startRetention, type Retention } from './retention.js';
import { rateLimiters } from './http/rate-limit.js';
import { fairStart } from './http/fair-start.js';
import { securityHeaders } from './http/security-headers.js';
import type { KnowledgeFiles } from '../knowledge/load.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { AgencyRegistry } from './agencies.js';
import { turnAgency } from './turn-agency.js';
import { loadConductTools } from '../knowledge/conduct-tools.js';
import type { LanguageCode } from '../knowledge/schema.js';
import { decisionContext, type TurnDeps } from '../dialogs/respond.js';
import { detectLanguage } from './language/detect.js';
import { requestedLanguage } from './language/request.js';
import { DirectLineAdapter } from './directline/adapter.js';
import { mountDirectLine } from './directline/routes.js';
import { MIN_TOKEN_KEY_BYTES, tokenKeyFrom } from './directline/tokens.js';
import { keptSecret } from './storage/private-files.js';
import { mountDirectLineStream, DIRECTLINE_NEWS_CHANNEL } from './directline/stream.js';
import { mountWebChat } from './web/routes.js';
import { packageVersion } from './web/about.js';
import { createMetrics, metricsHandler, type Metrics } from './metrics.js';
import { proactiveSender } from './proactive.js';
import { conversationTranscript } from './storage/transcript-of.js';
import { tellCitizen, type DeliveryReport } from '../dialogs/handover-events.js';
import { deletionRequested } from '../dialogs/flows/deletion.js';
import { partOf } from '../dialogs/flows/forwarding.js';
import { deliveryResults, firstFailure } from './messenger/adapter.js'; // Messenger channel
import { mountMessenger, type MessengerChannel } from './messenger/routes.js'; // Messenger channel
import { messengerSettingsFrom } from './messenger/settings.js'; // Messenger channel
import { mountHandoverConsole, type MountedHandover } from './staff/mount.js';
import { createHandover } from './handover/index.js';
import { mountStaffReports } from './staff/routes/reports.js'; // the console's report page
import { mountStaffStudio } from './staff/routes/studio.js'; // the console's knowledge studio
import { entryStatuses, mountStudioEditor } from './staff/routes/studio-editor.js';
import { openKnowledgeStore } from './studio/open.js';
import { KNOWLEDGE_CHANNEL, StudioPublishing } from './studio/publishing.js';
import type { KnowledgeDrafts } from './studio/drafts.js';
import type { KnowledgeVersions } from './studio/store.js';
import { buildKnowledge } from '../knowledge/knowledge.js';
import { DEFAULT_MATCHER_SETTINGS } from '../knowledge/matcher.js';
import { AGENCY_FOLDER } from '../knowledge/schema.js';
import { randomUUID } from 'node:crypto';
import { mountStudioInbox } from './staff/routes/studio-inbox.js';
import { openInboxHandled } from './studio/inbox-handled.js';
import { loadLabelledSets } from './studio/labelled.js';
import { mountStudioImport, STUDIO_IMPORT_UPLOAD } from './staff/routes/studio-import.js'; // the studio's import takes a file

export interface AppDeps {
  log?: Logger;
  now?: () => Date;
  /**
   * `memory` keeps everything in the process (tests, ask). Default: PostgreSQL when DATABASE_URL is
   * set, SQLite under DATA_DIR otherwise.
   */
  storage?: StorageKind;
  /** A store built by the caller (tests); closed with the app. */
  store?: PadomsStore;
  /** Listen for decisions (ask, metrics). */
  onDecision?: TurnDeps['onDecision'];
  /** What is built from the knowledge files (eval's `--phrasings N`); default: all of them. */
  knowledgeShape?: (files: KnowledgeFiles) => KnowledgeFiles;
}

/** An agency's knowledge as it stands now. */
export interface LiveKnowledge {
  readonly current: Knowledge;
}

export interface App {
  server: restify.Server;
  bot: PadomsBot;
  directLine: DirectLineAdapter;
  /** The Messenger channel, when configured. */
  messenger: MessengerChannel | undefined;
  /** Runs one turn of the bot: what every adapter calls. */
  logic: (context: TurnContext) => Promise<void>;
  /** The agencies served: their knowledge, reloaded as their folders change. */
  agencies: AgencyRegistry;
  /** The default agency's knowledge (AGENCY): what `npm run ask` and single-agency tests read. */
  knowledge: LiveKnowledge;
  texts: Texts;
  records: TurnRecords;
  /** Everything the bot keeps: state, transcripts, records, Direct Line, handover queue. */
  store: PadomsStore;
  /** The default agency's turn dependencies. */
  readonly turnDeps: TurnDeps;
  /** An agency's turn dependencies; undefined when it is not served. */
  turnDepsOf(agency: string): TurnDeps | undefined;
  metrics: Metrics;
  log: Logger;
  retention: Retention;
  /** Removes a conversation from every store (the citizen asked; see requestConversationDeletion for doing it from a turn). */
  deleteConversation(conversationId: string): Promise<RemovedCounts>;
  /** The staff side of handover: HandoverService (`handover.service`), staff languages, the /staff console. */
  handover: MountedHandover;
  /** Adds redacted transcript recording to an adapter (every channel's adapter needs it). */
  useRecordingMiddleware<A extends BotAdapter>(adapter: A): A;
  /** The knowledge studio's publishing: drafts to versions, every instance serving them. */
  studio: StudioPublishing;
  /** The studio's store: every agency's drafts (the editor's, an import's, the inbox's), versions and audit. */
  knowledgeStore: KnowledgeDrafts & KnowledgeVersions;
  /**
   * Resolves once the agencies that published in the studio serve the store's versions and this
   * instance hears other instances' publishing (until then, and while the store is down at start,
   * their files serve).
   */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Under DATA_DIR: the Direct Line token key made at the first start (when DIRECTLINE_TOKEN_SECRET is unset). */
export const TOKEN_KEY_FILE = 'directline-token.key';

/** Longest citizen message the bot reads. */
const MAX_MESSAGE_LENGTH = 2000;
/**
 * Requests started per event-loop iteration. Each iteration accepts one new connection, so fewer
 * means newcomers get in sooner; more means less loop overhead. With the WebSocket stream every new
 * citizen opens a second connection, so newcomers matter more. Measured at 500 back-to-back
 * conversations (`npm run bench`): with 4, opening a stream took up to 2.4 s (p99) and replies p99
 * 1.8 s; with 3, 1.4 s and 1.2 s; with 2, 0.6 s and 1.0 s but 5–15 % fewer turns per second.
 */
const REQUESTS_STARTED_PER_LOOP_ITERATION = 3;

export function createApp(config: Config, deps: AppDeps = {}): App {
  const log = deps.log ?? createLogger(config.LOG_LEVEL);
  // Each part logs under its name (`component`), so its lines need no hand-typed prefix.
  const logOf = (component: string): Logger => log.child({ component });
  const now = deps.now ?? (() => new Date());

  const agencies = new AgencyRegistry({
    knowledgeDir: config.KNOWLEDGE_DIR,
    defaultId: config.AGENCY,
    ...(config.AGENCIES === undefined ? {} : { only: config.AGENCIES }),
    now,
    ...(deps.knowledgeShape === undefined ? {} : { shape: deps.knowledgeShape }),
    log: logOf('knowledge'),
  });
  const knowledgeOf = (agency: string): LiveKnowledge => {
    // Kept from the last read, so a turn under way when its agency's folder goes still has words.
    let last = agencies.knowledge(agency);
    if (last === undefined) throw new Error(`agency ${agency} is not served`);
    return {
      get current() {
        last = agencies.knowledge(agency) ?? last!;
        return last;
      },
    };
  };
  const knowledge = {
    get current() {
      return agencies.knowledge(agencies.defaultId)!;
    },
  } satisfies LiveKnowledge;
  const texts = loadTexts(config.LOCALES_DIR);
  const conduct = loadConductTools(config.KNOWLEDGE_DIR);

  const storageKind = deps.store?.kind ?? storageKindFor(config, deps.storage);
  if (storageKind === 'postgres' && config.DIRECTLINE_TOKEN_SECRET === undefined) {
    // Checked by the configuration schema too; repeated here for stores chosen in code.
    throw new ConfigError(['DIRECTLINE_TOKEN_SECRET=unset: required with PostgreSQL, so every instance accepts the Direct Line tokens another issued']);
  }
  // Without a configured secret the key is made once and kept with the SQLite data, so a restart
  // keeps every citizen's token (and with it the conversation); only a memory store has no place to
  // keep it. Before the store and the staff side are opened: a bad key stops the start with nothing
  // left running.
  const tokenKey =
    config.DIRECTLINE_TOKEN_SECRET === undefined && storageKind === 'sqlite'
      ? keptSecret(config.DATA_DIR, TOKEN_KEY_FILE, MIN_TOKEN_KEY_BYTES)
      : tokenKeyFrom(config.DIRECTLINE_TOKEN_SECRET);
  const store = deps.store ?? openStore(config, { kind: storageKind, now, log: logOf('storage'), defaultAgency: config.AGENCY });
  const recordsOf = (agency: string): TurnRecords => store.recordsOf(agency);
  const records: TurnRecords = recordsOf(agencies.defaultId);
  // The staff side of handover (bot/handover/): its service, staff accounts, cases; its console is
  // mounted at /staff with the other routes, below.
  const staffSide = createHandover({ config, store, agencies, log: logOf('handover'), now, texts });
  const state = createStateAccessors(new ConversationState(store.state));
  // A deletion the citizen asked for reaches every store, the handover side's included.
  const deleteEverywhere = async (conversationId: string): Promise<RemovedCounts> => {
    const counts = await store.deleteConversation(conversationId);
    counts.handover += await staffSide.deleteConversation(conversationId);
    return counts;
  };
  const record = <A extends BotAdapter>(adapter: A): A =>
    useRecordingMiddleware(adapter, {
      store: {
        transcripts: store.transcripts,
        deleteConversation: deleteEverywhere,
        recordHomeAgency: (conversationId, agency, at) => store.recordHomeAgency(conversationId, agency, at),
        turns: store.turns,
      },
      log,
      // The conversation's home agency: the one its channel marked (a forward does not change it).
      agencyOf: (context) => turnAgency(context) ?? agencies.defaultId,
      now,
      deletionRequested,
    });

  const metrics = createMetrics();
  // What every agency's turns share: the conversation state, texts, language and conduct tools.
  const sharedTurnDeps = {
    texts,
    state,
    languages: { detectLanguage, requestedLanguage },
    conduct,
    now,
    maxMessageLength: MAX_MESSAGE_LENGTH,
  };
  // Each agency's turns: its knowledge, its records, its staff and their languages. Made on an
  // agency's first turn and forgotten when its folder goes.
  const turnDepsByAgency = new Map<string, TurnDeps>();
  const turnDepsOf = (agency: string): TurnDeps | undefined => {
    if (!agencies.has(agency)) return undefined;
    let made = turnDepsByAgency.get(agency);
    if (made === undefined) {
      const agencyKnowledge = knowledgeOf(agency);
      const staff = staffSide.forAgency(agency);
      made = {
        ...sharedTurnDeps,
        knowledge: () => agencyKnowledge.current,
        records: recordsOf(agency),
        // R3: the languages some staff member of the agency speaks (staff records; the profile
        // until there are any), among those the bot has texts for. Latvian is always first.
        offeredLanguages: () => staff.staffLanguages().filter((l): l is LanguageCode => texts.languagesWithTexts.includes(l)),
        handover: {
          service: staff.service,
          // R8: of a conversation that moved between agencies, the parts held with this one.
          transcript: async (context) => {
            const [transcript, data] = await Promise.all([conversationTranscript(store, context), state.conversationData.get(context, newConversationData())]);
            return partOf(agency, transcript, data.moves ?? []);
          },
        },
        forwarding: { hosts: (other) => agencies.has(other), depsOf: turnDepsOf },
        onDecision: (result, context) => {
          metrics.turns.inc({ kind: result.decision.kind, agency });
          deps.onDecision?.(result, context);
        },
      };
      turnDepsByAgency.set(agency, made);
    }
    return made;
  };
  agencies.onChange((change) => {
    if (change.kind === 'removed') turnDepsByAgency.delete(change.id);
  });
  /**
   * The agency a turn speaks for: the one the conversation was forwarded to, else the one its
   * channel marked, else the default. With the database down the conversation cannot be read: its
   * channel's agency apologises.
   */
  const depsOfTurn = async (context: TurnContext): Promise<TurnDeps | undefined> => {
    const channelAgency = turnAgency(context) ?? agencies.defaultId;
    const forwardedTo = await state.conversationData
      .get(context, newConversationData())
      .then((data) => data.agency)
      .catch(() => undefined);
    return (forwardedTo === undefined ? undefined : turnDepsOf(forwardedTo)) ?? turnDepsOf(channelAgency);
  };
  const bot = new PadomsBot(depsOfTurn, { state }, log, (seconds, type) => metrics.turnSeconds.observe({ type }, seconds));
  const logic = (context: TurnContext) => bot.run(context);

  // The studio's import is the one route whose body is a file (mountStudioImport, with the drafts store).
  const server = createServer({ maxBodyBytes: config.MAX_BODY_BYTES, log, uploads: [STUDIO_IMPORT_UPLOAD] });
  const drain = trackConnections(server.server);
  // First of all handlers, so that errors, 404s and 429s carry the headers too.
  server.pre(securityHeaders());
  // Then every request waits for its turn, a few per event-loop iteration (see fair-start.ts): a
  // saturated server still accepts newcomers' connections.
  const fair = fairStart(REQUESTS_STARTED_PER_LOOP_ITERATION);
  server.pre(fair.pre);
  metrics.sources.requestsWaiting = fair.waiting;

  // Bot Framework channel (Azure Bot Service, Emulator).
  const cloudAdapter = record(
    new BotFrameworkAdapter(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: config.MicrosoftAppId,
        MicrosoftAppPassword: config.MicrosoftAppPassword,
        MicrosoftAppType: config.MicrosoftAppType,
        MicrosoftAppTenantId: config.MicrosoftAppTenantId,
      }),
      store.turns,
    ),
  );
  const authDisabled = config.MicrosoftAppId === '';
  if (authDisabled) log.warn('MicrosoftAppId is empty: Bot Framework authentication is off, /api/messages accepts loopback clients only');
  const serviceUrlHosts = config.BOT_SERVICE_URL_HOSTS ?? (authDisabled ? LOCAL_SERVICE_URL_HOSTS : AZURE_SERVICE_URL_HOSTS);
  mountBotFramework(server, { adapter: cloudAdapter, logic, authDisabled, serviceUrlHosts, log: logOf('bot-framework') });

  // Self-hosted Direct Line 3.0 for the embedded Web Chat widget: no Azure account needed.
  // Its conversations live in the store, so a restart keeps them and any instance serves any of them.
  // Every stored activity is news for the conversation's open streams, on whichever instance they are.
  const directLineLog = logOf('directline');
  const announce = (conversationId: string) =>
    store
      .publish(DIRECTLINE_NEWS_CHANNEL, conversationId)
      .catch((err: unknown) => directLineLog.warn({ err: errorFields(err), conversationId }, 'could not announce an activity'));
  const directLine = record(
    new DirectLineAdapter({
      store: store.directLine,
      turns: store.turns,
      now,
      log: directLineLog,
      onAppend: (conversationId) => void announce(conversationId),
    }),
  );
  const directLineSecret = config.DIRECTLINE_SECRET ? { directLineSecret: config.DIRECTLINE_SECRET } : {};
  const limits = rateLimiters({
    ipPerMinute: config.RATE_LIMIT_IP_PER_MINUTE,
    channelIpPerMinute: config.RATE_LIMIT_CHANNEL_IP_PER_MINUTE,
    perConversationPerMinute: config.RATE_LIMIT_CONVERSATION_PER_MINUTE,
    trustProxyHops: config.TRUST_PROXY_HOPS,
  });
  const admitDirectLineConversation = (conversationId: string) => limits.conversation(`dl:${conversationId}`);
  const stream = mountDirectLineStream(server, {
    store: store.directLine,
    agencies,
    tokenKey,
    ...directLineSecret,
    // "Resync" (the notification connection came back): every stream looks for what it missed.
    onNews: (listener) => store.subscribe(DIRECTLINE_NEWS_CHANNEL, (n) => listener(n.kind === 'message' ? n.payload : undefined)),
    admit: limits.upgrade,
    admitConversation: admitDirectLineConversation,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    log: logOf('directline-stream'),
    now,
  });
  metrics.sources.directLineStreams = () => stream.connections;
  mountDirectLine(server, {
    adapter: directLine,
    agencies,
    logic,
    tokenKey,
    ...directLineSecret,
    log: directLineLog,
    now,
    stream,
    admitConversation: admitDirectLineConversation,
  });
  // After Direct Line's own pre-handler, so a 429 carries its CORS header and the browser can read Retry-After.
  server.pre(limits.pre);
  server.use(limits.use);
  mountWebChat(server, { agencies, log: logOf('webchat') });

  // --- Facebook Messenger channel (bot/messenger/): on when the FACEBOOK_* secrets are set ---
  const messengerSettings = messengerSettingsFrom(config);
  const messenger = messengerSettings
    ? mountMessenger(server, {
        settings: messengerSettings,
        logic,
        state,
        texts,
        // The agency whose profile names the Page; with one token for one Page, the default agency.
        agencyOfPage: (pageId) =>
          agencies.ids().find((id) => agencies.profile(id)?.facebookPage?.id === pageId) ??
          (messengerSettings.pages.kind === 'one' && (agencies.profile(agencies.defaultId)?.facebookPage?.id ?? pageId) === pageId
            ? agencies.defaultId
            : undefined),
        knowledge: (agency) => knowledgeOf(agency).current,
        log: logOf('messenger'),
        now,
        admitConversation: limits.conversation,
        turns: store.turns,
      })
    : undefined;
  if (messenger) record(messenger.adapter);
  // --- end of the Messenger channel ---

  // --- The staff console at /staff, over the staff side ---
  const handover = mountHandoverConsole(server, staffSide, { config, log: logOf('handover') });
  // The console's report page: the records and knowledge live here, the sessions in the console.
  mountStaffReports(server, {
    authenticate: handover.console.authenticate,
    records: recordsOf,
    repo: handover.repo,
    knowledge: (id) => agencies.knowledge(id),
    now,
    log: logOf('staff-reports'),
  });
  // The knowledge studio's store and publishing: an agency that published answers from the store's
  // versions on every instance; each instance is told of another's publish and rebuilds that agency.
  const studioLog = logOf('studio');
  const knowledgeStore = openKnowledgeStore(store, config, studioLog);
  const instance = randomUUID();
  const studio = new StudioPublishing({
    store: knowledgeStore,
    knowledgeDir: config.KNOWLEDGE_DIR,
    sharedFiles: () => agencies.shared(),
    serve: (id, entries) => void agencies.usePublished(id, entries),
    announce: (agency) => store.publish(KNOWLEDGE_CHANNEL, `${instance} ${agency}`),
    now,
  });
  const refreshStudio = (agency: string) =>
    studio.refresh(agency).catch((err: unknown) => studioLog.warn({ err: errorFields(err), agency }, 'could not read the published knowledge'));
  let closing = false;
  let studioLoaded = false;
  let stopListening: (() => Promise<void>) | undefined;
  const studioReady = (async () => {
    for (let attempt = 0; !closing; attempt++) {
      try {
        stopListening ??= await store.subscribe(KNOWLEDGE_CHANNEL, (n) => {
          if (n.kind === 'resync') {
            // Publishes may have been missed while the connection was down: read every agency again.
            for (const id of agencies.ids()) void refreshStudio(id);
            return;
          }
          const [from, agency = ''] = n.payload.split(' ');
          if (from !== instance && AGENCY_FOLDER.test(agency)) void refreshStudio(agency);
        });
        for (const agency of await knowledgeStore.publishedAgencies()) await studio.refresh(agency);
        studioLoaded = true;
        return;
      } catch (err) {
        studioLog.warn({ err: errorFields(err), attempt }, 'published knowledge not read yet: the files serve meanwhile');
        await new Promise((resolve) => setTimeout(resolve, STUDIO_RETRY_MS).unref());
      }
    }
  })();
  mountStudioEditor(handover.console.api, { store: knowledgeStore, publishing: studio, profile: (id) => agencies.profile(id), now, log: studioLog });
  mountStudioImport(handover.console.api, { drafts: knowledgeStore, knowledge: (id) => agencies.knowledge(id), now, log: logOf('studio-import') });
  // The knowledge studio: its preview decides with what the agency's turns decide with.
  mountStaffStudio(handover.console.api, {
    editorial: {
      statuses: (agency, served) => entryStatuses(knowledgeStore, agency, served),
      withDrafts: async (agency) => {
        const result = await studio.withDrafts(agency);
        if (!result.ok) return { ok: false, problems: result.problems.filter((p) => p.severity === 'error') };
        return { ok: true, knowledge: buildKnowledge(result.files, DEFAULT_MATCHER_SETTINGS, agencies.sharedAnalysis) };
      },
    },
    knowledge: (id) => agencies.knowledge(id),
    records: recordsOf,
    decisionContext: (id, language) => {
      const turnDeps = turnDepsOf(id);
      return turnDeps && decisionContext(turnDeps, language);
    },
    now,
    log: logOf('staff-studio'),
  });
  // Its unanswered inbox and "what a change would move", deciding as the preview does.
  const inboxHandled = openInboxHandled(store, config, logOf('staff-studio'));
  mountStudioInbox(handover.console.api, {
    knowledge: (id) => agencies.knowledge(id),
    records: recordsOf,
    handled: inboxHandled,
    drafts: knowledgeStore,
    published: async (agency, entryId) => (await studio.published(agency)).entries.get(entryId),
    decisionContext: (id, language) => {
      const turnDeps = turnDepsOf(id);
      return turnDeps && decisionContext(turnDeps, language);
    },
    labelledSets: (id) => loadLabelledSets(config.STUDIO_LABELLED_DIR, id, agencies.defaultId).questions,
    now,
    log: logOf('staff-studio'),
  });
  // --- end of the staff side ---

  // Staff-side changes reach the citizen on whichever channel they are, in their language.
  const sendProactive = proactiveSender(
    { byChannel: { directline: directLine, ...(messenger ? { facebook: messenger.adapter } : {}) }, fallback: cloudAdapter, appId: config.MicrosoftAppId },
    log,
  );
  const delivery: DeliveryReport = {
    failure: (context) => firstFailure(deliveryResults(context)),
    undelivered: (conversationId, reason) => handover.undelivered(conversationId, reason),
  };
  // Every agency's events, each worded by the agency it names (a removed agency's go unsaid).
  handover.subscribe((event) => {
    const eventDeps = turnDepsOf(event.agency);
    if (eventDeps) void sendProactive(event.reference, (context) => tellCitizen(context, eventDeps, event, delivery));
  });
  // One count of the queue and the cases per scrape, however many gauges read it.
  let counted: { at: number; counts: ReturnType<typeof handover.countsByAgency> } | undefined;
  const countsNow = () => {
    if (counted === undefined || Date.now() - counted.at > 1_000) counted = { at: Date.now(), counts: handover.countsByAgency() };
    return counted.counts;
  };
  metrics.sources.queueLength = async () => (await countsNow()).queued;
  metrics.sources.casesOverdue = async () => (await countsNow()).overdueCases;

  server.get('/metrics', metricsHandler(metrics, config.METRICS_TOKEN));
  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok', version: packageVersion() });
  });
  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    // Ready while at least one agency answers, with what it published in the studio; a refused folder is named, not fatal.
    const checks = { knowledge: agencies.ids().length > 0 && studioLoaded, storage: await storageReachable(store) };
    const failing = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    const served = { agencies: agencies.ids(), refused: [...agencies.refused.keys()] };
    if (failing.length === 0) res.send(200, { status: 'ready', checks, ...served });
    else res.send(503, { status: 'not ready', checks, failing, ...served });
  });

  if (config.KNOWLEDGE_HOT_RELOAD) agencies.watch();
  const retention = startRetention({
    // The handover side keeps its own tables (tickets, lines, cases): purged by the same sweep.
    store: {
      purge: async (cutoffs) => {
        const counts = await store.purge(cutoffs);
        counts.cases += await handover.purge(cutoffs);
        // The inbox's marks of handled questions go with the questions (they hold no words).
        counts.records += await inboxHandled.purge(cutoffs);
        return counts;
      },
    },
    // Each agency's records and conversations by its own profile; what belongs to none served (older
    // rows, a removed agency's) by the default agency's.
    retentionDays: () => {
      const byAgency = new Map(agencies.ids().map((id) => [id, agencies.profile(id)!.retentionDays]));
      // A folder refused for a bad edit keeps its data until its profile is fixed: a typo must not
      // purge an agency's records by another's limit.
      for (const id of agencies.refused.keys()) byAgency.set(id, KEPT_WHILE_REFUSED_DAYS);
      const fallback = agencies.profile(agencies.defaultId)?.retentionDays ?? Math.max(...byAgency.values());
      return { byAgency, otherwise: fallback };
    },
    intervalMs: config.RETENTION_SWEEP_MINUTES * 60_000,
    log: logOf('retention'),
    now,
  });

  return {
    server,
    bot,
    directLine,
    messenger,
    logic,
    knowledge,
    texts,
    records,
    store,
    get turnDeps() {
      return turnDepsOf(agencies.defaultId)!;
    },
    turnDepsOf,
    agencies,
    metrics,
    log,
    retention,
    handover,
    deleteConversation: deleteEverywhere,
    useRecordingMiddleware: record,
    studio,
    knowledgeStore,
    ready: studioReady,
    async close() {
      drain.begin(); // new connections go to the next instance from here on
      closing = true;
      await stopListening?.();
      await handover.close(); // staff side: ends console streams, stops its timers
      retention.stop();
      agencies.close();
      await stream.close();
      // Webhook events already accepted are finished before the database closes under them.
      await messenger?.idle();
      await drain.finished(HTTP_DRAIN_MS);
      await knowledgeStore.close();
      await inboxHandled.close();
      await store.close();
    },
  };
}

/** How long to wait before reading the published knowledge again when the store did not answer at start. */
const STUDIO_RETRY_MS = 2_000;

/** Retention of an agency whose folder is refused: its rows wait (a hundred years) for a fixed profile. */
const KEPT_WHILE_REFUSED_DAYS = 36_500;

/** How long requests under way at shutdown get to finish before their connections are cut. */
const HTTP_DRAIN_MS = 5_000;

/** Readiness must answer quickly even when the database hangs: a slow ping counts as down. */
const READY_TIMEOUT_MS = 2_000;

async function storageReachable(store: PadomsStore): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([store.ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
