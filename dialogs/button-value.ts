// Button presses come back as `activity.value`; parse them at the boundary instead of casting.
import { z } from 'zod';
import { LANGUAGE_CODES } from '../knowledge/schema.js';
import type { ButtonValue } from './replies.js';

const id = z.string().min(1).max(200);
const reason = z.enum(['asked', 'not-helped', 'entry-offers-staff']);
const schema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('feedback'), entryId: id, helpful: z.boolean() }),
  z.object({ action: z.literal('choose'), kind: z.enum(['entry', 'authority']), id, offeredIds: z.array(id).max(10) }),
  z.object({ action: z.literal('none-of-these'), offeredIds: z.array(id).max(10) }),
  z.object({ action: z.literal('language'), to: z.enum(LANGUAGE_CODES) }),
  z.object({ action: z.literal('entry'), id }),
  z.object({ action: z.literal('complaint'), about: z.enum(['service', 'appeal']) }),
  z.object({ action: z.literal('rate'), score: z.number().int().min(1).max(5) }),
  z.object({ action: z.literal('comment') }),
  z.object({ action: z.literal('delete-conversation'), confirm: z.boolean() }),
  z.object({ action: z.literal('handover'), reason }),
  z.object({ action: z.literal('handover-consent'), agree: z.boolean(), reason }),
  z.object({ action: z.literal('handover-cancel') }),
  z.object({ action: z.literal('case-start') }),
  z.object({ action: z.literal('case-consent'), agree: z.boolean() }),
  z.object({ action: z.literal('continue-latvian'), reason }),
]);

/** The button payload, or undefined for anything else (typed text, unknown or forged values). */
export function buttonValue(value: unknown): ButtonValue | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
