// POST /api/messages: the Bot Framework channel (Azure Bot Service, the Emulator). Checked here,
// before botbuilder sees it: who may call (loopback only while authentication is off), that the body
// is an activity, and that its serviceUrl, where the bot's replies are POSTed, is an allowed host.
// botbuilder's own `process` would answer a bad activity with 500 and its raw error text, and print
// the error's stack to stderr; here failures are values with a JSON body and a one-line log.
import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { IMMEDIATE, type TurnTransactions } from '../storage/turn-batch.js';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
import type restify from 'restify';
import { z } from 'zod';
import { isLocalRequest } from '../guards.js';
import { errorFields, type Logger } from '../log.js';
import { sendFailure, type HttpFailure } from './errors.js';

/** Thrown by `handle` when the turn ran (its replies went out) but what it wrote could not be committed. */
export class UnrecordedTurnError extends Error {
  override readonly name = 'UnrecordedTurnError';
}

/**
 * botbuilder's CloudAdapter with its activity processing reachable without its `process` (see
 * above); each turn is one transaction of the store.
 */
export class BotFrameworkAdapter extends CloudAdapter {
  constructor(
    auth: BotFrameworkAuthentication,
    private readonly turns: TurnTransactions = IMMEDIATE,
  ) {
    super(auth);
  }

  async handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    let ran = false;
    try {
      return await this.turns.inTurn(activity.conversation?.id, async () => {
        const invoke = await this.processActivity(authHeader, activity, logic);
        ran = true;
        return invoke;
      });
    } catch (err) {
      // The channel has the replies already: a retry would send them twice.
      if (ran) throw new UnrecordedTurnError('the turn ran, its record could not be committed', { cause: err });
      throw err;
    }
  }
}

export interface BotFrameworkEndpointDeps {
  adapter: BotFrameworkAdapter;
  logic: (context: TurnContext) => Promise<void>;
  /** MicrosoftAppId is empty: botbuilder accepts anyone, so only this host's own tools may call. */
  authDisabled: boolean;
  /** Hosts a serviceUrl may name (`*.example.com` for any subdomain); see serviceUrlAllowed. */
  serviceUrlHosts: readonly string[];
  log: Logger;
}

/** Where the Bot Framework's channels live (https://learn.microsoft.com/azure/bot-service/bot-service-resources-faq-security). */
export const AZURE_SERVICE_URL_HOSTS = ['*.botframework.com', '*.trafficmanager.net', '*.botframework.azure.us'] as const;
/** Authentication off: the Emulator on this machine. */
export const LOCAL_SERVICE_URL_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;
/** Channels Padoms serves with its own adapters: a Bot Framework activity claiming one is not one of theirs. */
const OWN_CHANNELS = new Set(['directline', 'facebook']);

// Activity types Padoms takes from a channel. `invoke` is not among them: it asks for an answer
// only a Teams or skills bot gives (botbuilder would say 501 Not Implemented).
const ACTIVITY_TYPES = [
  'message',
  'conversationUpdate',
  'contactRelationUpdate',
  'typing',
  'endOfConversation',
  'event',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'trace',
  'handoff',
  'command',
  'commandResult',
] as const;

/** Printable, no spaces or controls: an id goes into URLs and headers (x-ms-conversation-id). */
const channelId = z.string().regex(/^[\x21-\x7e]{1,512}$/);
const account = z.looseObject({ id: channelId, name: z.string().max(512).optional(), role: z.string().max(64).optional() });
const jsonObject = z.record(z.string(), z.unknown());

// The protocol's required fields, and the types of those botbuilder and the bot read: anything
// else shaped wrong would throw inside botbuilder, which only ever answers that with a 500
// (https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md).
const activityBody = z.looseObject({
  type: z.enum(ACTIVITY_TYPES),
  id: channelId.optional(),
  channelId: z.string().regex(/^[a-z0-9_.-]{1,64}$/i),
  serviceUrl: z.string().min(1).max(2048),
  conversation: account,
  from: account,
  recipient: account.optional(),
  text: z.string().max(100_000).optional(),
  speak: z.string().max(100_000).optional(),
  summary: z.string().max(100_000).optional(),
  locale: z.string().max(20).optional(),
  textFormat: z.string().max(20).optional(),
  name: z.string().max(512).optional(),
  replyToId: z.string().max(512).optional(),
  timestamp: z.string().max(64).optional(),
  localTimestamp: z.string().max(64).optional(),
  attachments: z.array(jsonObject).max(50).optional(),
  entities: z.array(jsonObject).max(50).optional(),
  membersAdded: z.array(account).max(50).optional(),
  membersRemoved: z.array(account).max(50).optional(),
  channelData: jsonObject.optional(),
});

type Refusal = HttpFailure & { status: 400 | 403 };

export function mountBotFramework(server: restify.Server, deps: BotFrameworkEndpointDeps): void {
  const { adapter, logic, authDisabled, serviceUrlHosts, log } = deps;
  server.post('/api/messages', async function botFrameworkMessages(req: restify.Request, res: restify.Response) {
    const refusal = refusalOf(req, authDisabled, serviceUrlHosts);
    if (refusal !== undefined) {
      sendFailure(res, refusal);
      return;
    }
    try {
      const invoke = await adapter.handle(req.header('authorization', ''), withDates(req.body as Record<string, unknown>), logic);
      if (invoke?.body === undefined) res.send(invoke?.status ?? 200);
      else res.send(invoke.status, invoke.body);
    } catch (err) {
      if (err instanceof AuthenticationError) {
        sendFailure(res, { status: 401, code: 'Unauthorized', message: 'the Bot Framework token was not accepted' });
        return;
      }
      if (err instanceof UnrecordedTurnError) {
        log.error({ err: errorFields(err.cause) }, "bot framework: replied, but the turn's record could not be committed");
        res.send(200);
        return;
      }
      log.error({ err: errorFields(err) }, 'the activity could not be processed');
      sendFailure(res, { status: 500, code: 'Internal', message: 'the activity could not be processed' });
    }
  });
}

/** Timestamps as Dates, the wire strings kept beside them, as botbuilder's own `process` does. */
function withDates(body: Record<string, unknown>): Activity {
  const activity: Record<string, unknown> = { ...body };
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['localTimestamp', 'rawLocalTimestamp'],
    ['expiration', 'rawExpiration'],
  ] as const) {
    const value = activity[field];
    if (typeof value !== 'string') continue;
    activity[raw] = value;
    activity[field] = new Date(value);
  }
  return activity as unknown as Activity;
}

function refusalOf(req: restify.Request, authDisabled: boolean, serviceUrlHosts: readonly string[]): Refusal | undefined {
  if (authDisabled && !isLocalRequest(req)) {
    return {
      status: 403,
      code: 'Forbidden',
      message: 'Authentication is disabled (no MicrosoftAppId), so only loopback clients may use this endpoint, and not through a proxy.',
    };
  }
  const parsed = activityBody.safeParse(req.body);
  if (!parsed.success) {
    const where = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
    return { status: 400, code: 'BadArgument', message: `not an activity Padoms takes (check: ${where})` };
  }
  const { channelId, serviceUrl } = parsed.data;
  if (!serviceUrlAllowed(serviceUrl, serviceUrlHosts))
    return { status: 403, code: 'Forbidden', message: 'serviceUrl is not an allowed host (BOT_SERVICE_URL_HOSTS)' };
  if (authDisabled && OWN_CHANNELS.has(channelId)) return { status: 403, code: 'Forbidden', message: `channel ${channelId} is served by its own endpoint` };
  return undefined;
}

/**
 * Whether the bot may POST its replies to this serviceUrl: http(s) on one of the hosts (an entry
 * `*.example.com` allows every subdomain of example.com, not example.com itself). Outside loopback,
 * only https.
 */
export function serviceUrlAllowed(serviceUrl: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  const host = url.hostname.toLowerCase();
  const local = (LOCAL_SERVICE_URL_HOSTS as readonly string[]).includes(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return false;
  return hosts.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
  });
}
