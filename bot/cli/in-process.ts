// The real bot, in this process, without a server: for `npm run ask`, `npm run chat` and `eval`.
// Same factory, same decision code, same replies as the web chat; records stay in memory.
import { TestAdapter, type Activity, type Attachment } from 'botbuilder';
import { loadConfig } from '../config.js';
import { createApp, type App, type AppDeps } from '../app.js';
import { createLogger } from '../log.js';
import type { DecisionResult } from '../../knowledge/decide.js';

export interface TurnResult {
  decision: DecisionResult | undefined;
  replies: Partial<Activity>[];
}

export interface InProcessBot {
  app: App;
  /** One message in a conversation (a new one unless conversationId is reused). */
  say(text: string, conversationId?: string): Promise<TurnResult>;
  /** Any activity (a button press: `{ type: 'message', text, value }`) in a conversation. */
  send(activity: Partial<Activity>, conversationId: string): Promise<TurnResult>;
  /** Starts a conversation the way a channel does (the citizen joins) and returns the greeting. */
  join(conversationId: string): Promise<Partial<Activity>[]>;
  close(): Promise<void>;
}

export function createInProcessBot(env: Record<string, string | undefined> = process.env, deps: AppDeps = {}): InProcessBot {
  // One agency, the default one (AGENCY), unless AGENCIES names more: ask and eval measure one
  // agency's knowledge, and need not load the others'.
  const config = loadConfig({ LOG_LEVEL: 'error', AGENCIES: env.AGENCIES ?? env.AGENCY ?? 'dvi', ...env, KNOWLEDGE_HOT_RELOAD: 'false' });
  // Decisions by conversation: several conversations may be in flight at once.
  const decisions = new Map<string, TurnResult['decision']>();
  const app = createApp(config, {
    storage: 'memory',
    log: createLogger(config.LOG_LEVEL, 2),
    ...deps,
    onDecision: (d, context) => {
      decisions.set(context.activity.conversation.id, d);
    },
  });
  let counter = 0;

  const run = async (conversationId: string, activity: Partial<Activity>): Promise<Partial<Activity>[]> => {
    const sent: Partial<Activity>[] = [];
    const adapter = new TestAdapter(app.logic, {
      channelId: 'cli',
      conversation: { id: conversationId, isGroup: false, name: '', conversationType: 'personal' },
      user: { id: 'citizen', name: 'citizen' },
      bot: { id: 'padoms', name: 'Padoms' },
    } as never);
    adapter.use(async (context, next) => {
      context.onSendActivities(async (_ctx, activities, nextSend) => {
        sent.push(...activities.filter((a) => a.type !== 'trace'));
        return nextSend();
      });
      await next();
    });
    await adapter.processActivity(activity);
    return sent;
  };

  return {
    app,
    async say(text, conversationId) {
      return this.send({ type: 'message', text }, conversationId ?? `cli-${++counter}`);
    },
    async send(activity, conversationId) {
      decisions.delete(conversationId);
      const replies = await run(conversationId, activity);
      const decision = decisions.get(conversationId);
      decisions.delete(conversationId);
      return { decision, replies };
    },
    async join(conversationId) {
      return run(conversationId, { type: 'conversationUpdate', membersAdded: [{ id: 'citizen', name: 'citizen' }] });
    },
    close: () => app.close(),
  };
}

/** The visible text of replies, cards included, for terminals and the ask JSON. */
export function replyText(replies: Partial<Activity>[]): string {
  return replies
    .flatMap((a) => [a.text ?? '', ...(a.attachments ?? []).map(cardText)])
    .filter((t) => t !== '')
    .join('\n\n');
}

function cardText(attachment: Attachment): string {
  const content = attachment.content as { title?: string; text?: string; buttons?: { title?: string; value?: string }[] } | undefined;
  if (!content) return '';
  const buttons = (content.buttons ?? []).map((b) => `[${b.title ?? ''}: ${b.value ?? ''}]`).join(' ');
  return [content.title, content.text, buttons].filter(Boolean).join('\n');
}

export function buttonTitles(replies: Partial<Activity>[]): string[] {
  return replies.flatMap((a) => a.suggestedActions?.actions.map((x) => x.title) ?? []);
}
