// What the channel adapters we host ourselves (Direct Line, Messenger) share: their channel, not
// Azure, authenticates the citizen, so botbuilder's identity arguments mean nothing to them.
import { BotAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import { IMMEDIATE, type TurnTransactions } from './storage/turn-batch.js';

export type Logic = (context: TurnContext) => Promise<void>;

export abstract class SelfHostedAdapter extends BotAdapter {
  /** The store's: what a turn writes is committed together when it ends (see turn-batch.ts). */
  protected readonly turns: TurnTransactions;

  constructor(turns: TurnTransactions = IMMEDIATE) {
    super();
    this.turns = turns;
  }

  /** Runs a turn as one transaction of the store. */
  protected runTurn(context: TurnContext, logic: Logic): Promise<void> {
    return this.turns.inTurn(context.activity.conversation?.id, () => this.runMiddleware(context, logic));
  }

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
