// Handing over to a person, the citizen's side: the offer, consent (R8), the queue, the bot's silence
// while a person has the conversation, and the staff side's events told to the citizen. When nobody
// can take it, the citizen is offered to leave the question (flows/case.ts, R4, R5). The staff side
// lives behind HandoverService (bot/handover/).
import { CardFactory, EventFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import type { Availability, HandoverEvent, HandoverReason } from '../../bot/handover/types.js';
import { formatWhen } from '../../bot/i18n.js';
import type { Flow, HandoverDeps, Replies, Turn } from '../flow.js';
import { button, contactLine, pick, type Reply, type ReplyContext } from '../replies.js';
import { ratingPrompt } from './rating.js';

/** How a citizen who leaves a question wants the answer: the flow's own copy, kept in state. */
export type CaseContact = { email: string } | { phone: string };

/**
 * Where a citizen is in handing over (consent, R8) or leaving a question (flows/case.ts, R5). One
 * field for both, as stored conversations have it: a citizen is on one step of one of them.
 */
export type HandoverFlow =
  | { step: 'consent'; reason: HandoverReason }
  | { step: 'case-contact' }
  | { step: 'case-question'; contact: CaseContact }
  | { step: 'case-consent'; contact: CaseContact; question: string };

export interface HandoverState {
  /** Where the citizen is in handing over or leaving a question. */
  handoverFlow?: HandoverFlow;
}

/** A person is offered; without a staff side, the agency's contacts. */
export function offerPerson(turn: Turn<HandoverState>, reason: HandoverReason): Replies {
  const ctx = turn.replyContext();
  return turn.deps.handover ? offer(ctx, turn.deps.handover, turn.data, reason) : contacts(ctx);
}

/** Where to turn when the agency has no staff side: its contacts and phone consultations. */
function contacts(ctx: ReplyContext): Reply[] {
  const { t, knowledge, language } = ctx;
  const lines = [t('handover.contacts', { contacts: contactLine(ctx) })];
  if (knowledge.profile.phoneConsultations) lines.push(t('handover.phoneHours', { hours: pick(knowledge.profile.phoneConsultations.text, language) }));
  return [MessageFactory.text(lines.join('\n\n'))];
}

/**
 * A person offered: when someone can take the conversation now, consent to hand it over (R8);
 * otherwise first that nobody is there and when someone will be, with leaving the question (whose
 * own consent follows), so the citizen is not asked to agree to a handover that cannot happen.
 */
async function offer(ctx: ReplyContext, deps: HandoverDeps, data: HandoverState, reason: HandoverReason): Promise<Reply[]> {
  const availability = await deps.service.availability(ctx.language);
  const someoneThere = availability.inHours && (availability.staffOnline || availability.onlineLanguages.includes('lv'));
  return someoneThere ? askConsent(ctx, data, reason) : offline(ctx, availability);
}

/** R8: the citizen is told a person will see the conversation, and chooses. */
function askConsent(ctx: ReplyContext, data: HandoverState, reason: HandoverReason): Reply[] {
  data.handoverFlow = { step: 'consent', reason };
  const reply = MessageFactory.text(ctx.t('handover.consent'));
  reply.suggestedActions = {
    to: [],
    actions: [
      button(ctx.t('handover.consentYes'), { action: 'handover-consent', agree: true, reason }),
      button(ctx.t('handover.consentNo'), { action: 'handover-consent', agree: false, reason }),
    ],
  };
  return [reply];
}

/** After consent: the queue when someone who speaks the language is at work, otherwise a case. */
async function startHandover(turn: Turn<HandoverState>, deps: HandoverDeps, reason: HandoverReason): Promise<Reply[]> {
  const { context, data } = turn;
  const ctx = turn.replyContext();
  delete data.handoverFlow;
  const language = ctx.language;
  const availability = await deps.service.availability(language);
  if (availability.inHours && availability.staffOnline) {
    const transcript = await deps.transcript(context);
    const reference = referenceOf(context);
    const { position } = await deps.service.enqueue({
      conversationId: context.activity.conversation.id,
      channel: context.activity.channelId,
      language,
      reason,
      reference,
      transcript,
    });
    // The Bot Framework convention, so an agent hub behind Azure Bot Service can take it too.
    const initiation = EventFactory.createHandoffInitiation(context, { language, reason }, { activities: transcript as Activity[] });
    return [initiation, queued(ctx, position)];
  }
  if (availability.inHours && language !== 'lv' && availability.onlineLanguages.includes('lv')) {
    // R3: nobody with this language is here, but someone is: offer Latvian or leaving the question.
    const reply = MessageFactory.text(ctx.t('handover.noLanguageStaff', { language: ctx.t('handover.thisLanguage') }));
    reply.suggestedActions = {
      to: [],
      actions: [
        button(ctx.t('handover.continueLatvian'), { action: 'continue-latvian', reason }),
        button(ctx.t('handover.leaveQuestion'), { action: 'case-start' }),
      ],
    };
    return [reply];
  }
  return offline(ctx, availability);
}

function offline(ctx: ReplyContext, { nextOpening, at }: Availability): Reply[] {
  const { profile } = ctx.knowledge;
  const due = withinWorkingDays(ctx);
  const opening = nextOpening ? ctx.t('handover.nextOpening', { date: formatWhen(nextOpening, at, ctx.language, profile.timeZone) }) : '';
  const reply = MessageFactory.text(ctx.t('handover.offline', { opening, due }));
  reply.suggestedActions = {
    to: [],
    actions: [
      button(ctx.t('handover.leaveQuestion'), { action: 'case-start' }),
      button(ctx.t('handover.noThanks'), { action: 'handover-consent', agree: false, reason: 'asked' }),
    ],
  };
  return [reply];
}

/** "within 2 working days", in the conversation's language with its plural rules: when a left question is answered. */
export function withinWorkingDays(ctx: ReplyContext): string {
  return ctx.t('time.withinWorkingDays', { count: ctx.knowledge.profile.answerWithinWorkingDays });
}

function queued(ctx: ReplyContext, position: number): Reply {
  const reply = MessageFactory.text(ctx.t('handover.queued', { position }));
  reply.suggestedActions = { to: [], actions: [button(ctx.t('handover.cancel'), { action: 'handover-cancel' })] };
  return reply;
}

/** While a person has (or is about to take) the conversation, the bot does not answer; while queued it says where they are. */
async function whileHandedOver(turn: Turn<HandoverState>, text: string): Promise<Reply[] | undefined> {
  const deps = turn.deps.handover;
  const ticket = await deps?.service.active(turn.conversationId);
  if (!ticket || !deps) return undefined;
  const ctx = turn.replyContext();
  await deps.service.citizenMessage(ticket.conversationId, text);
  if (ticket.state !== 'queued') return [];
  const position = (await deps.service.position(ticket.conversationId)) ?? 1;
  const reply = MessageFactory.text(ctx.t('handover.stillQueued', { position }));
  reply.suggestedActions = { to: [], actions: [button(ctx.t('handover.cancel'), { action: 'handover-cancel' })] };
  return [reply];
}

/** Staff-side events, worded for the citizen in the conversation's language. */
export function describeEvent(ctx: ReplyContext, event: HandoverEvent): Reply[] {
  switch (event.type) {
    case 'position':
      return [MessageFactory.text(ctx.t('handover.position', { position: event.position }))];
    case 'accepted':
      return [MessageFactory.text(ctx.t('handover.accepted', { name: event.staffName }))];
    case 'staff-message': {
      // A card headed with the person's name and the agency: a citizen must see at a glance that a
      // person, not the bot, is writing (a bare bubble looks exactly like the bot's).
      const title = ctx.t('handover.staffSays', { name: event.staffName, agency: pick(ctx.knowledge.profile.name, ctx.language) });
      const reply = MessageFactory.attachment(CardFactory.heroCard(title, event.text));
      reply.from = { id: 'staff', name: event.staffName, role: 'bot' };
      return [reply];
    }
    case 'handed-back':
      return [MessageFactory.text(ctx.t('handover.handedBack'))];
    case 'closed':
      return [MessageFactory.text(ctx.t('handover.closed')), ...ratingPrompt(ctx)];
    case 'requeued':
      return [MessageFactory.text(ctx.t('handover.requeued', { position: event.position }))];
  }
}

/** Where the citizen is, for the staff side's messages. */
function referenceOf(context: TurnContext) {
  const a = context.activity;
  return { activityId: a.id, user: a.from, bot: a.recipient, conversation: a.conversation, channelId: a.channelId, locale: a.locale, serviceUrl: a.serviceUrl };
}

export const handover = {
  buttons: {
    handover: (turn, value) => offerPerson(turn, value.reason),
    'handover-consent': async (turn, value) => {
      const ctx = turn.replyContext();
      if (!value.agree || !turn.deps.handover) {
        delete turn.data.handoverFlow;
        return [MessageFactory.text(ctx.t('handover.declined'))];
      }
      await turn.record('handover');
      return startHandover(turn, turn.deps.handover, value.reason);
    },
    'continue-latvian': (turn, value) => {
      turn.data.language = 'lv';
      if (!turn.deps.handover) return [];
      return startHandover(turn, turn.deps.handover, value.reason);
    },
    'handover-cancel': async (turn) => {
      await turn.deps.handover?.service.cancel(turn.conversationId);
      return [MessageFactory.text(turn.replyContext().t('handover.cancelled'))];
    },
  },
  takesMessage: whileHandedOver,
  decisions: {
    handover: (turn) => offerPerson(turn, 'asked'),
  },
} satisfies Flow<HandoverState>;
