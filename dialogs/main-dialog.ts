// The main dialog: every message turn runs through here. Later flows (handover consent, leaving a
// question, rating) are child dialogs begun from the respond step and continued on later turns.
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { respond, type TurnDeps } from './respond.js';

export const DIALOG_IDS = {
  main: 'main',
  turn: 'main.turn',
} as const;

export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: TurnDeps) {
    super(DIALOG_IDS.main);
    this.addDialog(new WaterfallDialog(DIALOG_IDS.turn, [(step) => this.respondStep(step)]));
    this.initialDialogId = DIALOG_IDS.turn;
  }

  private async respondStep(step: WaterfallStepContext) {
    await respond(step.context, this.deps);
    return step.endDialog();
  }
}
