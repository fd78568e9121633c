// Which agency a turn speaks for. One installation serves many agencies; the channel that starts a
// turn knows whose conversation it is (a Direct Line token names its agency, a Facebook Page is
// mapped to one, the Bot Framework endpoint to the default) and marks the turn before the bot runs.
import type { TurnContext } from 'botbuilder';

const TURN_AGENCY = Symbol('padoms.turnAgency');

/** Marks the turn as one of this agency's (a folder name under knowledge/agencies/). */
export function setTurnAgency(context: TurnContext, agency: string): void {
  context.turnState.set(TURN_AGENCY, agency);
}

/** The agency the channel marked the turn with; undefined when it did not (the default agency's turn). */
export function turnAgency(context: TurnContext): string | undefined {
  const agency: unknown = context.turnState.get(TURN_AGENCY);
  return typeof agency === 'string' ? agency : undefined;
}
