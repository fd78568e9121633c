// What a decision reads a message's conduct with, loaded from a knowledge folder once: its tone
// (insults and threats from conduct/lexicon.yaml, an upset client's words from conduct/upset.yaml,
// which has the same format but whose `address` lists are not used) and its frames.
import path from 'node:path';
import { loadConductLexicon, toneOf, type Tone } from './conduct.js';
import { framesOf, loadFrames, type FrameName } from './frames.js';

export interface ConductTools {
  toneOf: (text: string) => Tone;
  framesOf: (text: string) => FrameName[];
}

export function loadConductTools(knowledgeDir: string): ConductTools {
  const lexicon = loadConductLexicon(path.join(knowledgeDir, 'conduct', 'lexicon.yaml'));
  const upset = loadConductLexicon(path.join(knowledgeDir, 'conduct', 'upset.yaml')).insults;
  const frames = loadFrames(path.join(knowledgeDir, 'frames', 'frames.yaml'));
  return { toneOf: (text) => toneOf(text, lexicon, upset), framesOf: (text) => framesOf(text, frames) };
}
