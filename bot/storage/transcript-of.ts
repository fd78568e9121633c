// The conversation so far, for a handover: what the transcript store holds (redacted when it was
// written) plus this turn's own message, which the transcript logger only writes at the turn's end.
import type { Activity, TranscriptStore, TurnContext } from 'botbuilder';
import { redactActivity } from './activity.js';

export async function conversationTranscript(store: { transcripts: TranscriptStore }, context: TurnContext): Promise<Partial<Activity>[]> {
  const { channelId, conversation } = context.activity;
  const items: Partial<Activity>[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.transcripts.getTranscriptActivities(channelId, conversation.id, continuationToken);
    items.push(...page.items);
    continuationToken = page.continuationToken || undefined;
  } while (continuationToken);
  const current = context.activity;
  if (current.type === 'message' && current.text && !items.some((a) => a.id !== undefined && a.id === current.id)) {
    items.push(redactActivity(current));
  }
  return items;
}
