// Answering and clarifying: an entry's answer with "did it help", small talk, the clarifying question
// and the citizen's choice, "I cannot answer that", and the turns that did not help in a row (two,
// and a person is offered). What the bot could not answer is recorded for the knowledge keepers.
import { MessageFactory } from 'botbuilder';
import type { Candidate, Decision } from '../../knowledge/decide.js';
import type { Authority, KnowledgeEntry } from '../../knowledge/schema.js';
import { refer, referTheRest } from '../authorities.js';
import type { Flow, Turn } from '../flow.js';
import { button, contactLine, entryTitle, pick, type Reply, type ReplyContext } from '../replies.js';
import { offerPerson, type HandoverState } from './handover.js';
import { rememberForForwarding, type ForwardingState } from './forwarding.js';
import { ratingPrompt } from './rating.js';

export interface AnsweringState {
  /** The last entry answered, for "did it help" and follow-ups. */
  lastEntryId?: string;
  /** Ids offered in the last clarifying question, to record the citizen's choice. */
  offeredIds?: string[];
  /** The last unanswerable question, redacted, kept until the citizen says "none of these". */
  pendingQuestion?: string;
  /** Fallbacks and "did not help" in a row: two make the bot offer a person. */
  unhelped?: number;
}

/** Answering offers a person when it did not help (flows/handover.ts). */
type State = AnsweringState & HandoverState & ForwardingState;

/** The small-talk entry that ends a conversation (the same id in every agency's knowledge). */
const GOODBYE_ENTRY = 'smalltalk.goodbye';

/** `lead`: a line before the answer (after an emergency: "if it is not urgent"). */
function answer(ctx: ReplyContext, entry: KnowledgeEntry, options: { askFeedback: boolean; lead?: string }): Reply[] {
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

/** Answer the part within competence, then refer the rest, in one reply (R2). */
function partial(ctx: ReplyContext, entry: KnowledgeEntry, referrals: Authority[]): Reply[] {
  const [answerText, ...rest] = answer(ctx, entry, { askFeedback: true });
  const intro = MessageFactory.text(`${ctx.t('answer.partialIntro')}\n\n${answerText?.text ?? ''}`);
  return [intro, ...referTheRest(ctx, referrals), ...rest];
}

function clarify(ctx: ReplyContext, candidates: Candidate[]): Reply[] {
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

const sameIds = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

function candidateId(c: Candidate): string {
  return c.kind === 'entry' ? c.entry.id : c.authority.id;
}

function fallback(ctx: ReplyContext): Reply[] {
  const { t } = ctx;
  return [MessageFactory.text(`${t('fallback.text')}\n\n${t('fallback.options', { contacts: contactLine(ctx) })}`)];
}

function smalltalk(ctx: ReplyContext, entry: KnowledgeEntry): Reply[] {
  return [MessageFactory.text(pick(entry.answer, ctx.language))];
}

/** After an emergency's referral, the agency's own answer to the rest of the message, if it is not urgent. */
export function answerAfterEmergency(turn: Turn<AnsweringState>, entry: KnowledgeEntry, question: string): Reply[] {
  const ctx = turn.replyContext();
  turn.data.lastEntryId = entry.id;
  turn.data.pendingQuestion = question;
  return answer(ctx, entry, { askFeedback: true, lead: ctx.t('answer.afterEmergency') });
}

/** Two fallbacks or "did not help" in a row, or an upset client: offer a person. */
async function unhelped(turn: Turn<State>, upset: boolean): Promise<Reply[]> {
  const { data } = turn;
  data.unhelped = (data.unhelped ?? 0) + 1;
  if (data.unhelped < 2 && !upset) return [];
  data.unhelped = 0;
  return offerPerson(turn, 'not-helped');
}

/** An entry chosen by button (a clarifying option, a follow-up, a related entry). */
async function answerEntry(turn: Turn<State>, id: string): Promise<Reply[]> {
  const entry = turn.deps.knowledge().entries.get(id);
  const ctx = turn.replyContext();
  // The entry may have been removed by a knowledge edit since the button was shown.
  if (!entry) return fallback(ctx);
  turn.data.lastEntryId = entry.id;
  const decision: Decision = entry.kind === 'smalltalk' ? { kind: 'smalltalk', entry } : { kind: 'answer', entry, score: 1, referrals: [] };
  await turn.record(decision.kind, decision);
  return entry.kind === 'smalltalk' ? smalltalk(ctx, entry) : answer(ctx, entry, { askFeedback: true });
}

export const answering = {
  buttons: {
    feedback: async (turn, value) => {
      const { data, deps } = turn;
      const base = { conversationId: turn.conversationId, at: deps.now() };
      await deps.records.feedback({ ...base, entryId: value.entryId, helpful: value.helpful });
      const ctx = turn.replyContext();
      if (value.helpful) {
        data.unhelped = 0;
        return [MessageFactory.text(ctx.t('feedback.thanks'))];
      }
      // The question the answer was for, once: not for an older answer's button pressed later
      // (the question pending is another's then), nor again for a second "no".
      if (data.pendingQuestion && value.entryId === data.lastEntryId) {
        await deps.records.unanswered({ ...base, text: data.pendingQuestion, reason: 'not-helpful', language: data.language, entryId: value.entryId });
        delete data.pendingQuestion;
      }
      return [MessageFactory.text(ctx.t('feedback.sorry', { contacts: contactLine(ctx) })), ...(await unhelped(turn, false))];
    },
    choose: async (turn, value) => {
      const knowledge = turn.deps.knowledge();
      await turn.deps.records.clarifyChoice({ conversationId: turn.conversationId, at: turn.deps.now(), chosenId: value.id, offeredIds: value.offeredIds });
      const ctx = turn.replyContext();
      if (value.kind === 'authority') {
        const authority = knowledge.authorities.get(value.id);
        if (authority) {
          rememberForForwarding(turn, [authority], turn.data.pendingQuestion);
          return refer(ctx, authority, authority.emergency);
        }
      }
      return answerEntry(turn, value.id);
    },
    entry: (turn, value) => answerEntry(turn, value.id),
    'none-of-these': async (turn, value) => {
      const { data, deps } = turn;
      const base = { conversationId: turn.conversationId, at: deps.now() };
      await deps.records.clarifyChoice({ ...base, chosenId: null, offeredIds: value.offeredIds });
      // Likewise once, and for the clarifying question last asked (Messenger may drop a long offer list).
      if (data.pendingQuestion && (value.offeredIds.length === 0 || sameIds(value.offeredIds, data.offeredIds ?? []))) {
        await deps.records.unanswered({ ...base, text: data.pendingQuestion, reason: 'none-of-these', language: data.language });
        delete data.pendingQuestion;
      }
      const ctx = turn.replyContext();
      return [MessageFactory.text(ctx.t('clarify.noneReply', { contacts: contactLine(ctx) }))];
    },
  },
  decisions: {
    answer: (turn, decision, said) => {
      const ctx = turn.replyContext();
      turn.data.lastEntryId = decision.entry.id;
      turn.data.pendingQuestion = said.text;
      rememberForForwarding(turn, decision.referrals, said.text);
      return decision.referrals.length > 0 ? partial(ctx, decision.entry, decision.referrals) : answer(ctx, decision.entry, { askFeedback: true });
    },
    smalltalk: (turn, decision) => {
      const ctx = turn.replyContext();
      // R12: the end of a conversation is when satisfaction is asked.
      return [...smalltalk(ctx, decision.entry), ...(decision.entry.id === GOODBYE_ENTRY ? ratingPrompt(ctx) : [])];
    },
    clarify: (turn, decision, said) => {
      turn.data.offeredIds = decision.candidates.map(candidateId);
      turn.data.pendingQuestion = said.text;
      return clarify(turn.replyContext(), decision.candidates);
    },
    fallback: async (turn, _decision, said) => {
      const { data, deps } = turn;
      const closest = deps
        .knowledge()
        .index.search(said.text, 1)
        .results.find((r) => r.kind === 'entry');
      await deps.records.unanswered({
        conversationId: turn.conversationId,
        at: deps.now(),
        language: data.language,
        text: said.text,
        reason: 'fallback',
        ...(closest ? { entryId: closest.id } : {}),
      });
      // An upset client was just asked to tell what happened and offered a person: "I cannot answer
      // that" on top would be a third reply saying less.
      return [...(said.upset ? [] : fallback(turn.replyContext())), ...(await unhelped(turn, said.upset))];
    },
  },
} satisfies Flow<State>;
