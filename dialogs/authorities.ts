// The competent authority as the citizen sees it (R2): its card with the public contacts, and the
// words that refer to it. Below the flows, as two of them refer: the referral (flows/referral.ts)
// and answering (flows/answering.ts: a clarifying option may be an authority, an answer may refer
// the rest of the message).
import { ActionTypes, CardFactory, MessageFactory, type CardAction } from 'botbuilder';
import type { Authority, Contacts } from '../knowledge/schema.js';
import { agencyName, button, pick, type Reply, type ReplyContext } from './replies.js';

/** The agency of the installation the conversation may continue with for this authority, if any. */
export function forwardableAgency(ctx: ReplyContext, authority: Authority): string | undefined {
  return authority.agency !== undefined && ctx.canForwardTo?.(authority.agency) ? authority.agency : undefined;
}

/** The competent authority, named, with its public contacts as a card with links. */
function referral(ctx: ReplyContext, authority: Authority, lead: string): Reply {
  const reply = MessageFactory.text(lead);
  reply.attachments = [authorityCard(ctx, authority)];
  return reply;
}

function authorityCard(ctx: ReplyContext, authority: Authority) {
  const { t, language } = ctx;
  const c: Contacts = authority.contacts;
  const lines = [
    c.phone && t('refer.phone', { value: c.phone }),
    c.email && t('refer.emailLine', { value: c.email }),
    c.eAddress && t('refer.eAddress', { value: c.eAddress }),
    c.address && t('refer.address', { value: c.address }),
    c.hours && t('refer.hours', { value: pick(c.hours, language) }),
  ].filter((l): l is string => Boolean(l));
  const buttons: CardAction[] = [];
  // R8: only an offer; nothing passes to the other agency until the citizen presses it. First, as
  // Messenger shows three buttons of a card.
  const agency = forwardableAgency(ctx, authority);
  if (agency !== undefined) {
    lines.unshift(t('forward.offer', { authority: pick(authority.name, language) }));
    buttons.push(button(t('forward.button'), { action: 'forward', agency }));
  }
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

/** R2: the authorities for the part of a message outside the agency's competence, after the answer to the rest. */
export function referTheRest(ctx: ReplyContext, referrals: readonly Authority[]): Reply[] {
  const { t, language } = ctx;
  return referrals.map((a) => referral(ctx, a, t('refer.partial', { agency: agencyName(ctx, 'genitive'), authority: pick(a.name, language) })));
}
