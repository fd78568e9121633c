// Referral (R2): a message for another authority names it, with its contacts; an emergency is sent
// to 112 first, then to the others the message is for, and the agency's own answer to the rest of
// it follows, for when it is not urgent.
import { refer } from '../authorities.js';
import type { Flow } from '../flow.js';
import { answerAfterEmergency, type AnsweringState } from './answering.js';
import { rememberForForwarding, type ForwardingState } from './forwarding.js';

export const referral = {
  decisions: {
    refer: (turn, decision, said) => {
      rememberForForwarding(turn, decision.referrals, said.text);
      return [
        ...refer(turn.replyContext(), decision.authority, decision.emergency, decision.referrals),
        ...(decision.answer ? answerAfterEmergency(turn, decision.answer, said.text) : []),
      ];
    },
  },
} satisfies Flow<AnsweringState & ForwardingState>;
