// Leaving a question when nobody can take the conversation (R4, R5): how to answer (an e-mail or a
// Latvian phone number), the question itself, consent, then a case with a promised date. The steps
// are kept in the handover's field of state (flows/handover.ts), as a case is what a handover
// becomes when nobody is there.
import { MessageFactory } from 'botbuilder';
import { formatUntil } from '../../bot/i18n.js';
import type { Flow, HandoverDeps, Turn } from '../flow.js';
import { button, contactLine, type Reply, type ReplyContext } from '../replies.js';
import { withinWorkingDays, type CaseContact, type HandoverState } from './handover.js';

function startCase(ctx: ReplyContext, data: HandoverState): Reply[] {
  data.handoverFlow = { step: 'case-contact' };
  return [MessageFactory.text(ctx.t('handover.askContact'))];
}

/** A typed message while the citizen is leaving a question: contact, then the question itself. */
async function continueCase(turn: Turn<HandoverState>, text: string): Promise<Reply[] | undefined> {
  const { data } = turn;
  const flow = data.handoverFlow;
  if (flow?.step === 'case-contact') {
    const ctx = turn.replyContext();
    const contact = parseContact(text);
    if (contact === 'foreign-phone') return [MessageFactory.text(ctx.t('handover.foreignPhone'))];
    if (!contact) return [MessageFactory.text(ctx.t('handover.badContact'))];
    data.handoverFlow = { step: 'case-question', contact };
    return [MessageFactory.text(ctx.t('handover.askQuestion'))];
  }
  if (flow?.step === 'case-question') {
    const ctx = turn.replyContext();
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
  // Any other step waits for a button: a typed message leaves it (a consent not given is not given).
  delete data.handoverFlow;
  return undefined;
}

async function registerCase(turn: Turn<HandoverState>, deps: HandoverDeps): Promise<Reply[]> {
  const { context, data } = turn;
  const ctx = turn.replyContext();
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

export const leavingAQuestion = {
  buttons: {
    'case-start': (turn) => startCase(turn.replyContext(), turn.data),
    'case-consent': (turn, value) => {
      if (!value.agree || !turn.deps.handover) {
        delete turn.data.handoverFlow;
        const ctx = turn.replyContext();
        return [MessageFactory.text(ctx.t('handover.caseDeclined', { contacts: contactLine(ctx) }))];
      }
      return registerCase(turn, turn.deps.handover);
    },
  },
  takesMessage: continueCase,
} satisfies Flow<HandoverState>;
