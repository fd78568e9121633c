// What the channel adapters we host ourselves (Direct Line, Messenger) share: their channel, not
// Azure, authenticates the citizen, so botbuilder's identity arguments mean nothing to them.
import { BotAdapter, type ConversationReference, type TurnContext } from 'botbuilder';

export type Logic = (context: TurnContext) => Promise<void>;

export abstract class SelfHostedAdapter extends BotAdapter {
  /** Same as continueConversation: the app id or claims identity and the audience are ignored. */
  override async continueConversationAsync(
    _botAppIdOrClaimsIdentity: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: Logic | string,
    maybeLogic?: Logic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (logic === undefined) throw new Error(`${this.constructor.name}.continueConversationAsync: logic is required`);
    await this.continueConversation(reference, logic);
  }
}
