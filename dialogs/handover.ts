// The citizen's side of a handover to a person: consent (R8), the queue, the bot's silence while a
// person has the conversation, and, when nobody can take it, leaving the question as a case with
// a promised date (R4, R5). The staff side lives behind HandoverService (bot/handover/).
import { CardFactory, EventFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import type { Availability, HandoverEvent, HandoverReason, HandoverService, HandoverTicket } from '../bot/handover/types.js';
import type { CaseContact, ConversationData } from '../bot/state.js';
import { formatUntil, formatWhen } from '../bot/i18n.js';
import { button, pick, ratingPrompt, type Reply, type ReplyContext } from './replies.js';

export interface HandoverDeps {
  service: HandoverService;
  /** The conversation so far (redacted), oldest first, without the current turn's message. */
  transcript(context: TurnContext): Promise<Partial<Activity>[]>;
}

/**
 * A person offered: when someone can take the conversation now, consent to hand it over (R8);
 * otherwise first that nobody is there and when someone will be, with leaving the question (whose
 * own consent follows), so the citizen is not asked to agree to a handover that cannot happen.
 */
export async function offerPerson(ctx: ReplyContext, deps: HandoverDeps, data: ConversationData, reason: HandoverReason): Promise<Reply[]> {
  const availability = await deps.service.availability(ctx.language);
  const someoneThere = availability.inHours && (availability.staffOnline || availability.onlineLanguages.includes('lv'));
  return someoneThere ? askConsent(ctx, data, reason) : offline(ctx, availability);
}

/** R8: the citizen is told a person will see the conversation, and chooses. */
export function askConsent(ctx: ReplyContext, data: ConversationData, reason: HandoverReason): Reply[] {
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
export async function startHandover(
  context: TurnContext,
  ctx: ReplyContext,
  deps: HandoverDeps,
  data: ConversationData,
  reason: HandoverReason,
): Promise<Reply[]> {
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

/** "within 2 working days", in the conversation's language with its plural rules. */
function withinWorkingDays(ctx: ReplyContext): string {
  return ctx.t('time.withinWorkingDays', { count: ctx.knowledge.profile.answerWithinWorkingDays });
}

function queued(ctx: ReplyContext, position: number): Reply {
  const reply = MessageFactory.text(ctx.t('handover.queued', { position }));
  reply.suggestedActions = { to: [], actions: [button(ctx.t('handover.cancel'), { action: 'handover-cancel' })] };
  return reply;
}

export function startCase(ctx: ReplyContext, data: ConversationData): Reply[] {
  data.handoverFlow = { step: 'case-contact' };
  return [MessageFactory.text(ctx.t('handover.askContact'))];
}

/** A typed message while the citizen is leaving a question: contact, then the question itself. */
export function continueCase(ctx: ReplyContext, data: ConversationData, text: string): Reply[] {
  const flow = data.handoverFlow;
  if (flow?.step === 'case-contact') {
    const contact = parseContact(text);
    if (contact === 'foreign-phone') return [MessageFactory.text(ctx.t('handover.foreignPhone'))];
    if (!contact) return [MessageFactory.text(ctx.t('handover.badContact'))];
    data.handoverFlow = { step: 'case-question', contact };
    return [MessageFactory.text(ctx.t('handover.askQuestion'))];
  }
  if (flow?.step === 'case-question') {
    data.handoverFlow = { step: 'case-consent', contact: flow.contact, question: text };
    const reply = MessageFactory.text(ctx.t('handover.caseConsent'));
    reply.suggestedActions = {
      to: [],
      actions: [
        button(ctx.t('handover.consentAgree'), { action: 'case-consent', agree: true }),
        button(ctx.t('handover.consentDecline'), { action: 'case-consent', agree: false }),
      ],
    };
    return [reply];
  }
  return [];
}

export async function registerCase(context: TurnContext, ctx: ReplyContext, deps: HandoverDeps, data: ConversationData): Promise<Reply[]> {
  const flow = data.handoverFlow;
  delete data.handoverFlow;
  if (flow?.step !== 'case-consent') return [];
  const registered = await deps.service.registerCase({
    conversationId: context.activity.conversation.id,
    channel: context.activity.channelId,
    language: ctx.language,
    contact: flow.contact,
    question: flow.question,
    transcript: await deps.transcript(context),
  });
  const how = 'email' in flow.contact ? ctx.t('handover.byEmail', { email: flow.contact.email }) : ctx.t('handover.byPhone', { phone: flow.contact.phone });
  return [
    MessageFactory.text(
      ctx.t('handover.caseRegistered', {
        id: registered.id,
        how,
        within: withinWorkingDays(ctx),
        date: formatUntil(registered.dueBy, ctx.language, ctx.knowledge.profile.timeZone),
      }),
    ),
  ];
}

/** While a person has the conversation the bot is silent; while queued it says where they are. */
export async function whileHandedOver(context: TurnContext, ctx: ReplyContext, deps: HandoverDeps, ticket: HandoverTicket, text: string): Promise<Reply[]> {
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

const EMAIL = /^[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}$/i;

/**
 * R5: a callback only to a Latvian number (+371, then 8 digits starting 2 or 6); any other
 * number gets the e-mail suggestion instead.
 */
export function parseContact(text: string): CaseContact | 'foreign-phone' | undefined {
  const trimmed = text.trim();
  const email = trimmed.split(/\s+/).find((w) => EMAIL.test(w.replace(/[.,;]$/, '')));
  if (email) return { email: email.replace(/[.,;]$/, '') };
  const digits = trimmed.replace(/[\s()-]/g, '');
  if (!/^\+?\d{7,15}$/.test(digits)) return undefined;
  const national = digits.replace(/^(\+371|00371)/, '');
  if (/^[26]\d{7}$/.test(national) && (national.length === digits.length || /^(\+371|00371)/.test(digits))) return { phone: `+371 ${national}` };
  return 'foreign-phone';
}

/** Where the citizen is, for the staff side's messages. */
function referenceOf(context: TurnContext) {
  const a = context.activity;
  return { activityId: a.id, user: a.from, bot: a.recipient, conversation: a.conversation, channelId: a.channelId, locale: a.locale, serviceUrl: a.serviceUrl };
}
