// One citizen turn: read the message (or the button pressed), decide, reply, record.
import { MessageFactory, type TurnContext } from 'botbuilder';
import { decide, type Decision, type DecisionSettings } from '../knowledge/decide.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { LanguageCode } from '../knowledge/schema.js';
import type { Texts } from '../bot/i18n.js';
import type { OutcomeKind, TurnRecords } from '../bot/storage/records.js';
import { newConversationData, type ConversationData, type StateAccessors } from '../bot/state.js';
import { redact, withoutRedactions } from '../bot/privacy/redact.js';
import * as replies from './replies.js';
import type { ButtonValue, Reply, ReplyContext } from './replies.js';
import { buttonValue } from './button-value.js';

export interface LanguageTools {
  detectLanguage: (text: string) => { language: string; reliable: boolean };
  requestedLanguage: (text: string) => string | null;
}

export interface TurnDeps {
  knowledge: () => Knowledge;
  texts: Texts;
  state: StateAccessors;
  records: TurnRecords;
  languages: LanguageTools;
  isAbusive: (text: string) => boolean;
  /** Languages the agency offers now: staff languages that also have texts. Latvian first. */
  offeredLanguages: () => LanguageCode[];
  now: () => Date;
  decisionSettings?: DecisionSettings;
  /** Longest message read; longer ones are asked to be shortened. */
  maxMessageLength: number;
  /** Told of every decision with its turn: `npm run ask` and metrics listen here. */
  onDecision?: (d: { decision: Decision; language: LanguageCode; detected: string }, context: TurnContext) => void;
}

export async function greet(context: TurnContext, deps: TurnDeps): Promise<void> {
  const data = await deps.state.conversationData.get(context, newConversationData());
  if (data.greeted) return;
  data.greeted = true;
  const ctx = replyContext(deps, data.language);
  await send(context, replies.greeting(ctx, languageButtons(deps, data.language)));
}

export async function respond(context: TurnContext, deps: TurnDeps): Promise<void> {
  const data = await deps.state.conversationData.get(context, newConversationData());
  const value = buttonValue(context.activity.value);
  if (value) return pressButton(context, deps, data, value);

  const raw = (context.activity.text ?? '').trim();
  if (raw === '') return send(context, [MessageFactory.text(replyContext(deps, data.language).t('error.notText'))]);
  if (raw.length > deps.maxMessageLength) {
    return send(context, [MessageFactory.text(replyContext(deps, data.language).t('error.tooLong', { max: deps.maxMessageLength }))]);
  }
  const { text, found } = redact(raw);

  const knowledge = deps.knowledge();
  const result = decide(withoutRedactions(text), {
    knowledge,
    offeredLanguages: deps.offeredLanguages(),
    conversationLanguage: data.language,
    ...deps.languages,
    isAbusive: deps.isAbusive,
    ...(deps.decisionSettings ? { settings: deps.decisionSettings } : {}),
  });
  deps.onDecision?.(result, context);
  const { decision } = result;
  data.language = result.language;
  const ctx = replyContext(deps, data.language);
  const out: Reply[] = found.length > 0 ? [MessageFactory.text(ctx.t('privacy.redacted'))] : [];
  const base = { conversationId: context.activity.conversation.id, language: data.language, at: deps.now() };

  switch (decision.kind) {
    case 'answer':
      data.lastEntryId = decision.entry.id;
      data.pendingQuestion = text;
      out.push(...(decision.referrals.length > 0 ? replies.partial(ctx, decision.entry, decision.referrals) : replies.answer(ctx, decision.entry, { askFeedback: true })));
      break;
    case 'smalltalk':
      out.push(...replies.smalltalk(ctx, decision.entry));
      break;
    case 'clarify':
      data.offeredIds = decision.candidates.map(replies.candidateId);
      data.pendingQuestion = text;
      out.push(...replies.clarify(ctx, decision.candidates));
      break;
    case 'refer':
      out.push(...replies.refer(ctx, decision.authority, decision.emergency));
      break;
    case 'fallback': {
      const closest = knowledge.index.search(text, 1).results.find((r) => r.kind === 'entry');
      await deps.records.unanswered({ ...base, text, reason: 'fallback', ...(closest ? { entryId: closest.id } : {}) });
      out.push(...replies.fallback(ctx));
      break;
    }
    case 'handover':
      out.push(...replies.handover(ctx));
      break;
    case 'conduct':
      out.push(MessageFactory.text(ctx.t('conduct.warning')));
      break;
    case 'language':
      out.push(notOffered(deps, decision.detected));
      break;
    case 'switch-language':
      out.push(MessageFactory.text(languageT(deps, decision.to)('switched')));
      break;
  }
  await record(deps, context, data.language, decision);
  await send(context, out);
}

async function pressButton(context: TurnContext, deps: TurnDeps, data: ConversationData, value: ButtonValue): Promise<void> {
  const knowledge = deps.knowledge();
  const base = { conversationId: context.activity.conversation.id, at: deps.now() };
  switch (value.action) {
    case 'feedback': {
      await deps.records.feedback({ ...base, entryId: value.entryId, helpful: value.helpful });
      const ctx = replyContext(deps, data.language);
      if (value.helpful) return send(context, [MessageFactory.text(ctx.t('feedback.thanks'))]);
      if (data.pendingQuestion) {
        await deps.records.unanswered({ ...base, text: data.pendingQuestion, reason: 'not-helpful', language: data.language, entryId: value.entryId });
      }
      return send(context, [MessageFactory.text(ctx.t('feedback.sorry', { contacts: replies.contactLine(ctx) }))]);
    }
    case 'choose': {
      await deps.records.clarifyChoice({ ...base, chosenId: value.id, offeredIds: value.offeredIds });
      const ctx = replyContext(deps, data.language);
      if (value.kind === 'authority') {
        const authority = knowledge.authorities.get(value.id);
        if (authority) return send(context, replies.refer(ctx, authority, authority.emergency));
      }
      return answerEntry(context, deps, data, value.id);
    }
    case 'entry':
      return answerEntry(context, deps, data, value.id);
    case 'none-of-these': {
      await deps.records.clarifyChoice({ ...base, chosenId: null, offeredIds: value.offeredIds });
      if (data.pendingQuestion) {
        await deps.records.unanswered({ ...base, text: data.pendingQuestion, reason: 'none-of-these', language: data.language });
      }
      const ctx = replyContext(deps, data.language);
      return send(context, [MessageFactory.text(ctx.t('clarify.noneReply', { contacts: replies.contactLine(ctx) }))]);
    }
    case 'language': {
      if (!deps.offeredLanguages().includes(value.to)) return send(context, [notOffered(deps, value.to)]);
      data.language = value.to;
      const ctx = replyContext(deps, data.language);
      return send(context, [MessageFactory.text(languageT(deps, value.to)('switched')), ...replies.greeting(ctx, [])]);
    }
  }
}

async function answerEntry(context: TurnContext, deps: TurnDeps, data: ConversationData, id: string): Promise<void> {
  const entry = deps.knowledge().entries.get(id);
  const ctx = replyContext(deps, data.language);
  // The entry may have been removed by a knowledge edit since the button was shown.
  if (!entry) return send(context, replies.fallback(ctx));
  data.lastEntryId = entry.id;
  await deps.records.outcome({
    conversationId: context.activity.conversation.id, channel: context.activity.channelId, language: data.language,
    kind: entry.kind === 'smalltalk' ? 'smalltalk' : 'answer', entryId: entry.id, authorityIds: [], at: deps.now(),
  });
  return send(context, entry.kind === 'smalltalk' ? replies.smalltalk(ctx, entry) : replies.answer(ctx, entry, { askFeedback: true }));
}

function replyContext(deps: TurnDeps, language: LanguageCode): ReplyContext {
  return { knowledge: deps.knowledge(), t: deps.texts.forLanguage(language), language, staffSpeak: deps.offeredLanguages().includes(language) };
}

function languageT(deps: TurnDeps, language: string) {
  return deps.texts.languageTexts(language);
}

/** Buttons for the other offered languages, each titled in its own language. */
function languageButtons(deps: TurnDeps, current: LanguageCode): { code: LanguageCode; title: string }[] {
  return deps.offeredLanguages()
    .filter((l) => l !== current)
    .map((code) => ({ code, title: languageT(deps, code)(`button.${code}`) }));
}

/** R3: said in the citizen's language where we have that one message, with the offered languages. */
function notOffered(deps: TurnDeps, detected: string): Reply {
  const offered = deps.offeredLanguages();
  const hasMessage = deps.texts.hasLanguageText(detected, 'notOffered');
  const t = languageT(deps, hasMessage ? detected : 'en');
  const listLanguage = hasMessage ? detected : 'en';
  const others = new Intl.ListFormat(listLanguage, { type: 'conjunction' }).format(offered.filter((l) => l !== 'lv').map((l) => t(`names.${l}`)));
  const reply = MessageFactory.text(others === '' ? t('notOffered_latvianOnly') : t('notOffered', { others }));
  reply.suggestedActions = {
    to: [],
    actions: offered.map((code) => replies.button(languageT(deps, code)(`button.${code}`), { action: 'language', to: code })),
  };
  return reply;
}

async function record(deps: TurnDeps, context: TurnContext, language: LanguageCode, decision: Decision): Promise<void> {
  const entryId = decision.kind === 'answer' || decision.kind === 'smalltalk' ? decision.entry.id : undefined;
  const authorityIds =
    decision.kind === 'refer' ? decision.referrals.map((a) => a.id) : decision.kind === 'answer' ? decision.referrals.map((a) => a.id) : [];
  await deps.records.outcome({
    conversationId: context.activity.conversation.id,
    channel: context.activity.channelId,
    language,
    kind: decision.kind satisfies OutcomeKind,
    ...(entryId ? { entryId } : {}),
    authorityIds,
    at: deps.now(),
  });
}

async function send(context: TurnContext, out: Reply[]): Promise<void> {
  if (out.length > 0) await context.sendActivities(out);
}
