// The conversation's language (R3): a switch the citizen asks for, by button or in words, and a
// language the agency does not offer, said so with the offered ones to choose from.
import { MessageFactory } from 'botbuilder';
import type { Flow, FlowDeps } from '../flow.js';
import { button, type Reply } from '../replies.js';
import { greeting } from './greeting.js';

function languageT(deps: FlowDeps, language: string) {
  return deps.texts.languageTexts(language);
}

/**
 * R3: said in the citizen's language where we have that one message, with the offered languages;
 * in a language we have no text for, in English and in Latvian, the state language.
 */
function notOffered(deps: FlowDeps, detected: string): Reply {
  const offered = deps.offeredLanguages();
  const sayIn = (language: string) => {
    const t = languageT(deps, language);
    const others = new Intl.ListFormat(language, { type: 'conjunction' }).format(offered.filter((l) => l !== 'lv').map((l) => t(`names.${l}`)));
    return others === '' ? t('notOffered_latvianOnly') : t('notOffered', { others });
  };
  const languages = deps.texts.hasLanguageText(detected, 'notOffered') ? [detected] : ['en', 'lv'];
  const reply = MessageFactory.text(languages.map(sayIn).join('\n\n'));
  reply.suggestedActions = {
    to: [],
    actions: offered.map((code) => button(languageT(deps, code)(`button.${code}`), { action: 'language', to: code })),
  };
  return reply;
}

export const language = {
  buttons: {
    language: (turn, value) => {
      const { deps, data } = turn;
      if (!deps.offeredLanguages().includes(value.to)) return [notOffered(deps, value.to)];
      data.language = value.to;
      const ctx = turn.replyContext();
      return [MessageFactory.text(languageT(deps, value.to)('switched')), ...greeting(ctx, [])];
    },
  },
  decisions: {
    language: (turn, decision) => [notOffered(turn.deps, decision.detected)],
    'switch-language': (turn, decision) => [MessageFactory.text(languageT(turn.deps, decision.to)('switched'))],
  },
} satisfies Flow<object>;
