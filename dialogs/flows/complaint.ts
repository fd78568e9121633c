// Complaints (R7): complaining about the service and disputing a decision are different roads, so
// the citizen is asked which, then told the agency's way for it and their rights.
import { MessageFactory } from 'botbuilder';
import type { KnowledgeEntry } from '../../knowledge/schema.js';
import type { Flow } from '../flow.js';
import { button, entryTitle, pick, type Reply, type ReplyContext } from '../replies.js';

/** R7: complaining about the service and disputing a decision are different roads; ask which. */
function complaintChoice(ctx: ReplyContext, related: KnowledgeEntry[]): Reply[] {
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

function complaintAnswer(ctx: ReplyContext, about: 'service' | 'appeal'): Reply[] {
  const { complaints } = ctx.knowledge.profile;
  const text = pick(about === 'service' ? complaints.service : complaints.appeal, ctx.language);
  return [MessageFactory.text(`${text}\n\n${ctx.t('complaint.rights')}`)];
}

export const complaint = {
  buttons: {
    complaint: async (turn, value) => {
      const ctx = turn.replyContext();
      await turn.record('complaint');
      return complaintAnswer(ctx, value.about);
    },
  },
  decisions: {
    complaint: (turn, decision) => complaintChoice(turn.replyContext(), decision.related),
  },
} satisfies Flow<object>;
