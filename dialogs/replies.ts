// Turns decisions into activities in the conversation's language. Every citizen-facing word comes
// from locales/ or from the agency's own knowledge files; nothing here is agency-specific.
import { ActionTypes, CardFactory, MessageFactory, type Activity, type CardAction } from 'botbuilder';
import type { Authority, Contacts, KnowledgeEntry, LanguageCode, Localized, LocalizedList } from '../knowledge/schema.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Candidate } from '../knowledge/decide.js';
import type { Translate } from '../bot/i18n.js';
import type { HandoverReason } from '../bot/handover/types.js';

/** The buttons of handing over to a person and leaving a question (dialogs/handover.ts). */
export type HandoverButton =
  | { action: 'handover'; reason: HandoverReason }
  | { action: 'handover-consent'; agree: boolean; reason: HandoverReason }
  | { action: 'handover-cancel' }
  | { action: 'case-start' }
  | { action: 'case-consent'; agree: boolean }
  | { action: 'continue-latvian'; reason: HandoverReason };

/** Button payloads: what a suggested action sends back as `activity.value`. */
export type ButtonValue =
  | { action: 'feedback'; entryId: string; helpful: boolean }
  | { action: 'choose'; kind: 'entry' | 'authority'; id: string; offeredIds: string[] }
  | { action: 'none-of-these'; offeredIds: string[] }
  | { action: 'language'; to: LanguageCode }
  | { action: 'entry'; id: string }
  | { action: 'complaint'; about: 'service' | 'appeal' }
  | { action: 'rate'; score: number }
  | { action: 'comment' }
  | { action: 'delete-conversation'; confirm: boolean }
  | HandoverButton;

export interface ReplyContext {
  knowledge: Knowledge;
  t: Translate;
  language: LanguageCode;
  /** Whether a staff member speaks the conversation's language (a person can be offered in it). */
  staffSpeak?: boolean;
  /** Whether handing over to a person is possible at all (a staff side is configured). */
  canHandOver?: boolean;
}

export type Reply = Partial<Activity>;

export function pick(text: Localized, language: string): string {
  return (text as Record<string, string | undefined>)[language] ?? text.lv;
}

export function pickList(list: LocalizedList, language: string): string[] {
  return (list as Record<string, string[] | undefined>)[language] ?? list.lv;
}

/** The entry's title for buttons: its first question in the language. */
export function entryTitle(entry: KnowledgeEntry, language: string): string {
  return pickList(entry.questions, language)[0] ?? entry.id;
}

export function button(title: string, value: ButtonValue): CardAction {
  return { type: ActionTypes.MessageBack, title, text: title, displayText: title, value };
}

/** The agency's contacts on one line, for fallbacks and apologies. */
export function contactLine({ knowledge, t }: ReplyContext): string {
  const c = knowledge.profile.contacts;
  return [
    c.phone && t('contacts.phone', { value: c.phone }),
    c.email && t('contacts.email', { value: c.email }),
    c.website && t('contacts.website', { value: c.website }),
  ]
    .filter(Boolean)
    .join(', ');
}

/** The agency's name; `genitive` for sentences that need it (Latvian declines names). */
export function agencyName({ knowledge, language }: ReplyContext, form: 'nominative' | 'genitive' = 'nominative'): string {
  const { name, nameGenitive } = knowledge.profile;
  return pick(form === 'genitive' && nameGenitive ? nameGenitive : name, language);
}

export function greeting(ctx: ReplyContext, otherLanguages: { code: LanguageCode; title: string }[]): Reply[] {
  const { t, knowledge, language } = ctx;
  const topics = pickList(knowledge.profile.topics, language).join('; ');
  const text = [t('greeting.hello', { agency: agencyName(ctx, 'genitive') }), t('greeting.topics', { topics }), t('greeting.privacy')].join('\n\n');
  const reply = MessageFactory.text(text);
  if (otherLanguages.length > 0) {
    reply.suggestedActions = { to: [], actions: otherLanguages.map((l) => button(l.title, { action: 'language', to: l.code })) };
  }
  return [reply];
}

/** `lead`: a line before the answer (after an emergency: "if it is not urgent"). */
export function answer(ctx: ReplyContext, entry: KnowledgeEntry, options: { askFeedback: boolean; lead?: string }): Reply[] {
  const { t, language, knowledge } = ctx;
  const translated = language in entry.answer;
  const lines = [pick(entry.answer, language)];
  if (options.lead !== undefined) lines.unshift(options.lead);
  // R3: no text in the conversation's language: the Latvian answer, said so plainly.
  if (!translated) lines.unshift(t('answer.notTranslated'));
  const source = entry.sources.find((s) => /^https?:\/\//.test(s));
  if (entry.links.length > 0) {
    lines.push(`${t('answer.moreInfo')} ${entry.links.map((l) => `[${pick(l.title, language)}](${l.url})`).join(', ')}`);
  } else if (source) {
    lines.push(t('answer.source', { source }));
  }
  if (entry.offerStaff || (!translated && ctx.staffSpeak)) lines.push(t('answer.offerStaff'));
  const replies: Reply[] = [MessageFactory.text(lines.join('\n\n'))];
  if (options.askFeedback) {
    const followUps = entry.followUps
      .map((id) => knowledge.entries.get(id))
      .filter((e): e is KnowledgeEntry => e !== undefined)
      .map((e) => button(entryTitle(e, language), { action: 'entry', id: e.id }));
    const prompt = MessageFactory.text(t('feedback.ask'));
    prompt.suggestedActions = {
      to: [],
      actions: [
        button(t('feedback.yes'), { action: 'feedback', entryId: entry.id, helpful: true }),
        button(t('feedback.no'), { action: 'feedback', entryId: entry.id, helpful: false }),
        ...(entry.offerStaff && ctx.canHandOver ? [button(t('handover.offer'), { action: 'handover', reason: 'entry-offers-staff' })] : []),
        ...followUps,
      ],
    };
    replies.push(prompt);
  }
  return replies;
}

export function clarify(ctx: ReplyContext, candidates: Candidate[]): Reply[] {
  const { t, language } = ctx;
  const offeredIds = candidates.map(candidateId);
  const actions = candidates.map((c) =>
    c.kind === 'entry'
      ? button(entryTitle(c.entry, language), { action: 'choose', kind: 'entry', id: c.entry.id, offeredIds })
      : button(t('clarify.authority', { authority: pick(c.authority.name, language) }), {
          action: 'choose',
          kind: 'authority',
          id: c.authority.id,
          offeredIds,
        }),
  );
  actions.push(button(t('clarify.none'), { action: 'none-of-these', offeredIds }));
  const reply = MessageFactory.text(t(candidates.length === 1 ? 'clarify.askOne' : 'clarify.ask'));
  reply.suggestedActions = { to: [], actions };
  return [reply];
}

export function candidateId(c: Candidate): string {
  return c.kind === 'entry' ? c.entry.id : c.authority.id;
}

/** The competent authority, named, with its public contacts as a card with links. */
export function referral(ctx: ReplyContext, authority: Authority, lead: string): Reply {
  const reply = MessageFactory.text(lead);
  reply.attachments = [authorityCard(ctx, authority)];
  return reply;
}

export function authorityCard({ t, language }: ReplyContext, authority: Authority) {
  const c: Contacts = authority.contacts;
  const lines = [
    c.phone && t('refer.phone', { value: c.phone }),
    c.email && t('refer.emailLine', { value: c.email }),
    c.eAddress && t('refer.eAddress', { value: c.eAddress }),
    c.address && t('refer.address', { value: c.address }),
    c.hours && t('refer.hours', { value: pick(c.hours, language) }),
  ].filter((l): l is string => Boolean(l));
  const buttons: CardAction[] = [];
  if (c.website) buttons.push({ type: ActionTypes.OpenUrl, title: t('refer.website'), value: c.website });
  if (c.phone) buttons.push({ type: ActionTypes.Call, title: t('refer.call', { phone: c.phone }), value: `tel:${c.phone.replace(/[^\d+]/g, '')}` });
  if (c.email) buttons.push({ type: ActionTypes.OpenUrl, title: t('refer.email'), value: `mailto:${c.email}` });
  return CardFactory.heroCard(pick(authority.name, language), lines.join('\n\n'), undefined, buttons);
}

/** One authority; after an emergency (112), the others the message is for, if it is not urgent. */
export function refer(ctx: ReplyContext, authority: Authority, emergency: boolean, referrals: readonly Authority[] = [authority]): Reply[] {
  const { t, language } = ctx;
  const agency = agencyName(ctx, 'genitive');
  if (!emergency) return [referral(ctx, authority, t('refer.outside', { agency, authority: pick(authority.name, language) }))];
  const after = referrals.filter((a) => a.id !== authority.id);
  return [
    referral(ctx, authority, t('refer.emergency')),
    ...after.map((a) => referral(ctx, a, t('refer.afterEmergency', { agency, authority: pick(a.name, language) }))),
  ];
}

/** Answer the part within competence, then refer the rest, in one reply (R2). */
export function partial(ctx: ReplyContext, entry: KnowledgeEntry, referrals: Authority[]): Reply[] {
  const { t, language } = ctx;
  const [answerText, ...rest] = answer(ctx, entry, { askFeedback: true });
  const intro = MessageFactory.text(`${t('answer.partialIntro')}\n\n${answerText?.text ?? ''}`);
  const refs = referrals.map((a) => referral(ctx, a, t('refer.partial', { agency: agencyName(ctx, 'genitive'), authority: pick(a.name, language) })));
  return [intro, ...refs, ...rest];
}

export function fallback(ctx: ReplyContext): Reply[] {
  const { t } = ctx;
  return [MessageFactory.text(`${t('fallback.text')}\n\n${t('fallback.options', { contacts: contactLine(ctx) })}`)];
}

export function handover(ctx: ReplyContext): Reply[] {
  const { t, knowledge, language } = ctx;
  const lines = [t('handover.contacts', { contacts: contactLine(ctx) })];
  if (knowledge.profile.phoneConsultations) lines.push(t('handover.phoneHours', { hours: pick(knowledge.profile.phoneConsultations.text, language) }));
  return [MessageFactory.text(lines.join('\n\n'))];
}

export function smalltalk(ctx: ReplyContext, entry: KnowledgeEntry): Reply[] {
  return [MessageFactory.text(pick(entry.answer, ctx.language))];
}

export function apology(ctx: ReplyContext): Reply[] {
  return [MessageFactory.text(ctx.t('error.turn', { contacts: contactLine(ctx) }))];
}

/** R7: complaining about the service and disputing a decision are different roads; ask which. */
export function complaintChoice(ctx: ReplyContext, related: KnowledgeEntry[]): Reply[] {
  const { t, language } = ctx;
  const reply = MessageFactory.text(t('complaint.ask'));
  reply.suggestedActions = {
    to: [],
    actions: [
      button(t('complaint.service'), { action: 'complaint', about: 'service' }),
      button(t('complaint.appeal'), { action: 'complaint', about: 'appeal' }),
      ...related.map((e) => button(entryTitle(e, language), { action: 'entry', id: e.id })),
    ],
  };
  return [reply];
}

export function complaintAnswer(ctx: ReplyContext, about: 'service' | 'appeal'): Reply[] {
  const { complaints } = ctx.knowledge.profile;
  const text = pick(about === 'service' ? complaints.service : complaints.appeal, ctx.language);
  return [MessageFactory.text(`${text}\n\n${ctx.t('complaint.rights')}`)];
}

/** R12: satisfaction, 1 (poor) to 5 (very good). */
export function ratingPrompt({ t }: ReplyContext): Reply[] {
  const reply = MessageFactory.text(t('rating.ask'));
  reply.suggestedActions = { to: [], actions: [1, 2, 3, 4, 5].map((score) => button(String(score), { action: 'rate', score })) };
  return [reply];
}

export function ratingThanks({ t }: ReplyContext): Reply[] {
  const reply = MessageFactory.text(t('rating.thanks'));
  reply.suggestedActions = { to: [], actions: [button(t('rating.addComment'), { action: 'comment' })] };
  return [reply];
}

/** Deleting the conversation asks first: it cannot be undone. */
export function confirmDeletion({ t }: ReplyContext): Reply[] {
  const reply = MessageFactory.text(t('privacy.deleteConfirm'));
  reply.suggestedActions = {
    to: [],
    actions: [
      button(t('privacy.deleteYes'), { action: 'delete-conversation', confirm: true }),
      button(t('privacy.deleteNo'), { action: 'delete-conversation', confirm: false }),
    ],
  };
  return [reply];
}
