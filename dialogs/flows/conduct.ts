// Conduct (R6): an upset client is heard, an abusive message is warned once, the next ends the
// conversation for a cooling-off period, and an attempt to obtain protected information is refused.
import { MessageFactory } from 'botbuilder';
import { formatWhen } from '../../bot/i18n.js';
import type { Flow, Turn } from '../flow.js';
import { pick, type Reply, type ReplyContext } from '../replies.js';

export interface ConductState {
  /** Abusive messages warned about so far (R6). */
  abuseWarnings?: number;
  /** Until when the bot stays silent after ending an abusive conversation (ISO time). */
  silencedUntil?: string;
  /** The citizen was told, once, when they may write again. */
  silenceExplained?: boolean;
}

/** R6: an upset client is heard first: acknowledgement and an apology, never a warning. */
export function heardFirst(ctx: ReplyContext): Reply {
  return MessageFactory.text(ctx.t('conduct.upset'));
}

function silenced(data: ConductState, now: Date): boolean {
  if (!data.silencedUntil) return false;
  if (now < new Date(data.silencedUntil)) return true;
  // The cooling-off period is over: a fresh start.
  delete data.silencedUntil;
  delete data.silenceExplained;
  data.abuseWarnings = 0;
  return false;
}

async function whileSilenced(turn: Turn<ConductState>): Promise<Reply[] | undefined> {
  const { data, deps } = turn;
  if (!silenced(data, deps.now())) return undefined;
  // R6: after an abusive conversation was ended, the bot stays silent for the cooling-off period,
  // but the first message after the end is told once when it may write again and how to complain
  // (a reply that never comes looks like a broken chat).
  await turn.record('silenced');
  if (data.silenceExplained) return [];
  data.silenceExplained = true;
  const ctx = turn.replyContext();
  const { profile } = ctx.knowledge;
  const until = formatWhen(new Date(data.silencedUntil!), deps.now(), ctx.language, profile.timeZone);
  return [MessageFactory.text(ctx.t('conduct.stillEnded', { until, complaint: pick(profile.complaints.service, ctx.language) }))];
}

/** R6: the first abusive message is warned; the next ends the conversation for a while. */
function warnOrEnd(turn: Turn<ConductState>): Reply[] {
  const { data } = turn;
  const ctx = turn.replyContext();
  data.abuseWarnings = (data.abuseWarnings ?? 0) + 1;
  if (data.abuseWarnings === 1) return [MessageFactory.text(ctx.t('conduct.warning'))];
  const minutes = ctx.knowledge.profile.coolingOffMinutes;
  data.silencedUntil = new Date(turn.deps.now().getTime() + minutes * 60_000).toISOString();
  const complaint = pick(ctx.knowledge.profile.complaints.service, ctx.language);
  return [MessageFactory.text(ctx.t('conduct.ended', { complaint, count: minutes }))];
}

export const conduct = {
  takesTurn: whileSilenced,
  decisions: {
    conduct: warnOrEnd,
    protected: (turn) => [MessageFactory.text(turn.replyContext().t('conduct.protected'))],
  },
} satisfies Flow<ConductState>;
