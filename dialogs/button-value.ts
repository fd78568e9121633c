// Button presses come back as `activity.value`; parse them at the boundary instead of casting.
// One schema for every flow's buttons: it is the wire contract (Messenger carries these values as
// payloads, and buttons already shown come back long after), and the type is inferred from it, so
// the two cannot drift. Which flow owns each action is settled in respond.ts, checked at compile time.
import { z } from 'zod';
import { LANGUAGE_CODES } from '../knowledge/schema.js';
import type { HandoverReason } from '../bot/handover/types.js';

const id = z.string().min(1).max(200);
const reason = z.enum(['asked', 'not-helped', 'entry-offers-staff'] as const satisfies readonly HandoverReason[]);
const schema = z.discriminatedUnion('action', [
  // Answering and clarifying (flows/answering.ts).
  z.object({ action: z.literal('feedback'), entryId: id, helpful: z.boolean() }),
  z.object({ action: z.literal('choose'), kind: z.enum(['entry', 'authority']), id, offeredIds: z.array(id).max(10) }),
  z.object({ action: z.literal('none-of-these'), offeredIds: z.array(id).max(10) }),
  z.object({ action: z.literal('entry'), id }),
  // The conversation's language (flows/language.ts).
  z.object({ action: z.literal('language'), to: z.enum(LANGUAGE_CODES) }),
  // Complaints (flows/complaint.ts).
  z.object({ action: z.literal('complaint'), about: z.enum(['service', 'appeal']) }),
  // Rating (flows/rating.ts).
  z.object({ action: z.literal('rate'), score: z.number().int().min(1).max(5) }),
  z.object({ action: z.literal('comment') }),
  // Deleting the conversation (flows/deletion.ts).
  z.object({ action: z.literal('delete-conversation'), confirm: z.boolean() }),
  // Handing over to a person (flows/handover.ts).
  z.object({ action: z.literal('handover'), reason }),
  z.object({ action: z.literal('handover-consent'), agree: z.boolean(), reason }),
  z.object({ action: z.literal('handover-cancel') }),
  z.object({ action: z.literal('continue-latvian'), reason }),
  // Leaving a question (flows/case.ts).
  z.object({ action: z.literal('case-start') }),
  z.object({ action: z.literal('case-consent'), agree: z.boolean() }),
  // Forwarding to another agency of the installation, and back.
  z.object({ action: z.literal('forward'), agency: id }),
  z.object({ action: z.literal('forward-back') }),
]);

/** Button payloads: what a suggested action sends back as `activity.value`. */
export type ButtonValue = z.infer<typeof schema>;
export type ButtonAction = ButtonValue['action'];
/** The value of one action's buttons. */
export type ButtonOf<A extends ButtonAction> = Extract<ButtonValue, { action: A }>;

/** The button payload, or undefined for anything else (typed text, unknown or forged values). */
export function buttonValue(value: unknown): ButtonValue | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
