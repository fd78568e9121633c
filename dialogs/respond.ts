// One citizen turn: read the message (or the button pressed), decide, reply, record.
import { MessageFactory, type TurnContext } from 'botbuilder';
import { decide, type Decision, type DecisionResult, type DecisionSettings } from '../knowledge/decide.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Tone } from '../knowledge/conduct.js';
import type { LanguageCode } from '../knowledge/schema.js';
import { formatWhen, type Texts } from '../bot/i18n.js';
import type { OutcomeKind, TurnRecords } from '../bot/storage/records.js';
import { newConversationData, type ConversationData, type StateAccessors } from '../bot/state.js';
import { redact, withoutRedactions } from '../bot/privacy/redact.js';
import { requestConversationDeletion } from './deletion.js';
import * as replies from './replies.js';
import type { ButtonValue, Reply, ReplyContext } from './replies.js';
import { buttonValue } from './button-value.js';
import * as handover from './handover.js';
import type { HandoverDeps } from './handover.js';
import type { HandoverReason } from '../bot/handover/types.js';
import type { FrameName } from '../knowledge/frames.js';

export interface LanguageTools {
  detectLanguage: (text: string) => { language: string; reliable: boolean };
  requestedLanguage: (text: string) => string | null;
}

export interface ConductTools {
  toneOf: (text: string) => Tone;
  framesOf: (text: string) => FrameName[];
}

export interface TurnDeps {
  knowledge: () => Knowledge;
  texts: Texts;
  state: StateAccessors;
  records: TurnRecords;
  languages: LanguageTools;
  conduct: ConductTools;
  /** Languages the agency offers now: staff languages that also have texts. Latvian first. */
  offeredLanguages: () => LanguageCode[];
  now: () => Date;
  decisionSettings?: DecisionSettings;
  /** Longest message read; longer ones are asked to be shortened. */
  maxMessageLength: number;
  /** Handing over to a person; absent when the agency has no staff side configured. */
  handover?: HandoverDeps;
  /** Told of every decision with its turn: `npm run ask` and metrics listen here. */
  onDecision?: (d: DecisionResult, context: TurnContext) => void;
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
  if (silenced(data, deps.now())) {
    // R6: after an abusive conversation was ended, the bot stays silent for the cooling-off period,
    // but the first message after the end is told once when it may write again and how to complain
    // (a reply that never comes looks like a broken chat).
    await record(deps, context, data.language, 'silenced');
    if (data.silenceExplained) return;
    data.silenceExplained = true;
    const ctx = replyContext(deps, data.language);
    const { profile } = ctx.knowledge;
    const until = formatWhen(new Date(data.silencedUntil!), deps.now(), ctx.language, profile.timeZone);
    return send(context, [MessageFactory.text(ctx.t('conduct.stillEnded', { until, complaint: replies.pick(profile.complaints.service, ctx.language) }))]);
  }
  const value = buttonValue(context.activity.value);
  if (value) return pressButton(context, deps, data, value);

  const raw = (context.activity.text ?? '').trim();
  if (raw === '') return send(context, [MessageFactory.text(replyContext(deps, data.language).t('error.notText'))]);
  if (raw.length > deps.maxMessageLength) {
    return send(context, [MessageFactory.text(replyContext(deps, data.language).t('error.tooLong', { max: deps.maxMessageLength }))]);
  }
  const { text, found } = redact(raw);
  const base = { conversationId: context.activity.conversation.id, language: data.language, at: deps.now() };

  // While a person has (or is about to take) the conversation, the bot does not answer.
  const ticket = await deps.handover?.service.active(base.conversationId);
  if (ticket && deps.handover) return send(context, await handover.whileHandedOver(context, replyContext(deps, data.language), deps.handover, ticket, text));
  if (data.handoverFlow?.step === 'case-contact' || data.handoverFlow?.step === 'case-question') {
    return send(context, handover.continueCase(replyContext(deps, data.language), data, text));
  }
  delete data.handoverFlow;

  // A message the citizen was asked for (a suggestion, a comment on the rating) is taken as such.
  const awaiting = data.awaiting;
  delete data.awaiting;
  if (awaiting === 'suggestion' || awaiting === 'rating-comment') {
    const t = replyContext(deps, data.language).t;
    if (awaiting === 'suggestion') await deps.records.suggestion({ ...base, text });
    else await deps.records.ratingComment({ ...base, comment: text });
    return send(context, [MessageFactory.text(t(awaiting === 'suggestion' ? 'suggestion.thanks' : 'rating.commentThanks'))]);
  }

  const knowledge = deps.knowledge();
  const result = decide(withoutRedactions(text), {
    knowledge,
    offeredLanguages: deps.offeredLanguages(),
    conversationLanguage: data.language,
    ...deps.languages,
    ...deps.conduct,
    ...(deps.decisionSettings ? { settings: deps.decisionSettings } : {}),
  });
  deps.onDecision?.(result, context);
  const { decision } = result;
  data.language = result.language;
  const ctx = replyContext(deps, data.language);
  const out: Reply[] = found.length > 0 ? [MessageFactory.text(ctx.t('privacy.redacted'))] : [];
  // R6: an upset client is heard first: acknowledgement and an apology, never a warning.
  if (result.upset) out.push(MessageFactory.text(ctx.t('conduct.upset')));

  switch (decision.kind) {
    case 'answer':
      data.lastEntryId = decision.entry.id;
      data.pendingQuestion = text;
      out.push(
        ...(decision.referrals.length > 0
          ? replies.partial(ctx, decision.entry, decision.referrals)
          : replies.answer(ctx, decision.entry, { askFeedback: true })),
      );
      break;
    case 'smalltalk':
      out.push(...replies.smalltalk(ctx, decision.entry));
      // R12: the end of a conversation is when satisfaction is asked.
      if (decision.entry.id === GOODBYE_ENTRY) out.push(...replies.ratingPrompt(ctx));
      break;
    case 'clarify':
      data.offeredIds = decision.candidates.map(replies.candidateId);
      data.pendingQuestion = text;
      out.push(...replies.clarify(ctx, decision.candidates));
      break;
    case 'refer':
      out.push(...replies.refer(ctx, decision.authority, decision.emergency, decision.referrals));
      if (decision.answer) {
        data.lastEntryId = decision.answer.id;
        data.pendingQuestion = text;
        out.push(...replies.answer(ctx, decision.answer, { askFeedback: true, lead: ctx.t('answer.afterEmergency') }));
      }
      break;
    case 'fallback': {
      const closest = knowledge.index.search(text, 1).results.find((r) => r.kind === 'entry');
      await deps.records.unanswered({ ...base, language: data.language, text, reason: 'fallback', ...(closest ? { entryId: closest.id } : {}) });
      // An upset client was just asked to tell what happened and offered a person: "I cannot answer
      // that" on top would be a third reply saying less.
      if (!result.upset) out.push(...replies.fallback(ctx));
      out.push(...(await unhelped(deps, data, ctx, result.upset)));
      break;
    }
    case 'handover':
      out.push(...(await offerPerson(deps, data, ctx, 'asked')));
      break;
    case 'conduct':
      out.push(...conduct(deps, data, ctx));
      break;
    case 'protected':
      out.push(MessageFactory.text(ctx.t('conduct.protected')));
      break;
    case 'complaint':
      out.push(...replies.complaintChoice(ctx, decision.related));
      break;
    case 'delete-conversation':
      out.push(...replies.confirmDeletion(ctx));
      break;
    case 'suggestion':
      data.awaiting = 'suggestion';
      out.push(MessageFactory.text(ctx.t('suggestion.invite')));
      break;
    case 'language':
      out.push(notOffered(deps, decision.detected));
      break;
    case 'switch-language':
      out.push(MessageFactory.text(languageT(deps, decision.to)('switched')));
      break;
  }
  await record(deps, context, data.language, decision.kind, decision);
  await send(context, out);
}

/** A person is offered (handover.offerPerson); without a staff side, the agency's contacts. */
function offerPerson(deps: TurnDeps, data: ConversationData, ctx: ReplyContext, reason: HandoverReason): Promise<Reply[]> | Reply[] {
  return deps.handover ? handover.offerPerson(ctx, deps.handover, data, reason) : replies.handover(ctx);
}

/** Two fallbacks or "did not help" in a row, or an upset client: offer a person. */
async function unhelped(deps: TurnDeps, data: ConversationData, ctx: ReplyContext, upset: boolean): Promise<Reply[]> {
  data.unhelped = (data.unhelped ?? 0) + 1;
  if (data.unhelped < 2 && !upset) return [];
  data.unhelped = 0;
  return offerPerson(deps, data, ctx, 'not-helped');
}

/** The small-talk entry that ends a conversation (the same id in every agency's knowledge). */
const GOODBYE_ENTRY = 'smalltalk.goodbye';

function silenced(data: ConversationData, now: Date): boolean {
  if (!data.silencedUntil) return false;
  if (now < new Date(data.silencedUntil)) return true;
  // The cooling-off period is over: a fresh start.
  delete data.silencedUntil;
  delete data.silenceExplained;
  data.abuseWarnings = 0;
  return false;
}

/** R6: the first abusive message is warned; the next ends the conversation for a while. */
function conduct(deps: TurnDeps, data: ConversationData, ctx: ReplyContext): Reply[] {
  data.abuseWarnings = (data.abuseWarnings ?? 0) + 1;
  if (data.abuseWarnings === 1) return [MessageFactory.text(ctx.t('conduct.warning'))];
  const minutes = ctx.knowledge.profile.coolingOffMinutes;
  data.silencedUntil = new Date(deps.now().getTime() + minutes * 60_000).toISOString();
  const complaint = replies.pick(ctx.knowledge.profile.complaints.service, ctx.language);
  return [MessageFactory.text(ctx.t('conduct.ended', { complaint, count: minutes }))];
}

async function pressButton(context: TurnContext, deps: TurnDeps, data: ConversationData, value: ButtonValue): Promise<void> {
  const knowledge = deps.knowledge();
  const base = { conversationId: context.activity.conversation.id, at: deps.now() };
  switch (value.action) {
    case 'feedback': {
      await deps.records.feedback({ ...base, entryId: value.entryId, helpful: value.helpful });
      const ctx = replyContext(deps, data.language);
      if (value.helpful) {
        data.unhelped = 0;
        return send(context, [MessageFactory.text(ctx.t('feedback.thanks'))]);
      }
      if (data.pendingQuestion) {
        await deps.records.unanswered({ ...base, text: data.pendingQuestion, reason: 'not-helpful', language: data.language, entryId: value.entryId });
      }
      return send(context, [MessageFactory.text(ctx.t('feedback.sorry', { contacts: replies.contactLine(ctx) })), ...(await unhelped(deps, data, ctx, false))]);
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
    case 'complaint': {
      const ctx = replyContext(deps, data.language);
      await record(deps, context, data.language, 'complaint');
      return send(context, replies.complaintAnswer(ctx, value.about));
    }
    case 'rate': {
      await deps.records.rating({ ...base, language: data.language, score: value.score });
      const ctx = replyContext(deps, data.language);
      return send(context, replies.ratingThanks(ctx));
    }
    case 'comment':
      data.awaiting = 'rating-comment';
      return send(context, [MessageFactory.text(replyContext(deps, data.language).t('rating.commentInvite'))]);
    case 'delete-conversation': {
      const t = replyContext(deps, data.language).t;
      if (!value.confirm) return send(context, [MessageFactory.text(t('privacy.deleteKept'))]);
      // Runs after this turn, once its state and transcript are written (they would otherwise bring
      // parts of the conversation back); the confirmation goes out after the deletion.
      requestConversationDeletion(context, [MessageFactory.text(t('privacy.deleted'))]);
      return;
    }
    case 'handover':
      return send(context, await offerPerson(deps, data, replyContext(deps, data.language), value.reason));
    case 'handover-consent': {
      const ctx = replyContext(deps, data.language);
      if (!value.agree || !deps.handover) {
        delete data.handoverFlow;
        return send(context, [MessageFactory.text(ctx.t('handover.declined'))]);
      }
      await record(deps, context, data.language, 'handover');
      return send(context, await handover.startHandover(context, ctx, deps.handover, data, value.reason));
    }
    case 'continue-latvian': {
      data.language = 'lv';
      if (!deps.handover) return;
      return send(context, await handover.startHandover(context, replyContext(deps, 'lv'), deps.handover, data, value.reason));
    }
    case 'handover-cancel': {
      await deps.handover?.service.cancel(base.conversationId);
      return send(context, [MessageFactory.text(replyContext(deps, data.language).t('handover.cancelled'))]);
    }
    case 'case-start':
      return send(context, handover.startCase(replyContext(deps, data.language), data));
    case 'case-consent': {
      const ctx = replyContext(deps, data.language);
      if (!value.agree || !deps.handover) {
        delete data.handoverFlow;
        return send(context, [MessageFactory.text(ctx.t('handover.caseDeclined', { contacts: replies.contactLine(ctx) }))]);
      }
      return send(context, await handover.registerCase(context, ctx, deps.handover, data));
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
  const decision: Decision = entry.kind === 'smalltalk' ? { kind: 'smalltalk', entry } : { kind: 'answer', entry, score: 1, referrals: [] };
  await record(deps, context, data.language, decision.kind, decision);
  return send(context, entry.kind === 'smalltalk' ? replies.smalltalk(ctx, entry) : replies.answer(ctx, entry, { askFeedback: true }));
}

function replyContext(deps: TurnDeps, language: LanguageCode): ReplyContext {
  return {
    knowledge: deps.knowledge(),
    t: deps.texts.forLanguage(language),
    language,
    staffSpeak: deps.offeredLanguages().includes(language),
    canHandOver: deps.handover !== undefined,
  };
}

function languageT(deps: TurnDeps, language: string) {
  return deps.texts.languageTexts(language);
}

/** Buttons for the other offered languages, each titled in its own language. */
function languageButtons(deps: TurnDeps, current: LanguageCode): { code: LanguageCode; title: string }[] {
  return deps
    .offeredLanguages()
    .filter((l) => l !== current)
    .map((code) => ({ code, title: languageT(deps, code)(`button.${code}`) }));
}

/**
 * R3: said in the citizen's language where we have that one message, with the offered languages;
 * in a language we have no text for, in English and in Latvian, the state language.
 */
function notOffered(deps: TurnDeps, detected: string): Reply {
  const offered = deps.offeredLanguages();
  const sayIn = (language: string) => {
    const t = languageT(deps, language);
    const others = new Intl.ListFormat(language, { type: 'conjunction' }).format(offered.filter((l) => l !== 'lv').map((l) => t(`names.${l}`)));
    return others === '' ? t('notOffered_latvianOnly') : t('notOffered', { others });
  };
  const languages = deps.texts.hasLanguageText(detected, 'notOffered') ? [detected] : ['en', 'lv'];
  const reply = MessageFactory.text(languages.map(sayIn).join('\n\n'));
  reply.suggestedActions = {
    to: [],
    actions: offered.map((code) => replies.button(languageT(deps, code)(`button.${code}`), { action: 'language', to: code })),
  };
  return reply;
}

async function record(deps: TurnDeps, context: TurnContext, language: LanguageCode, kind: OutcomeKind, decision?: Decision): Promise<void> {
  const entryId = decision?.kind === 'answer' || decision?.kind === 'smalltalk' ? decision.entry.id : undefined;
  const authorityIds = decision?.kind === 'refer' || decision?.kind === 'answer' ? decision.referrals.map((a) => a.id) : [];
  await deps.records.outcome({
    conversationId: context.activity.conversation.id,
    channel: context.activity.channelId,
    language,
    kind,
    ...(entryId ? { entryId } : {}),
    authorityIds,
    at: deps.now(),
  });
}

async function send(context: TurnContext, out: Reply[]): Promise<void> {
  if (out.length > 0) await context.sendActivities(out);
}
