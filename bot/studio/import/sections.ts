// Questions and answers in a document's flow (a saved page, or a DOCX that mammoth turned into
// HTML): a question element (a heading, or a bold-only paragraph in a document) and everything after
// it up to the next question is its answer. A question followed at once by another is a section
// title and is left out, unless it asks something ("…?"): then its missing answer is a problem.
import { DomUtils } from './dom.js';
import { Element, type ChildNode } from 'domhandler';
import { answerOfNodes } from './answer-text.js';
import { problem, quoted, type FoundPair, type ImportProblem } from './types.js';

export interface QuestionElement {
  /** `heading "…"`, as the origin records it. */
  where: string;
  /** `virsraksts „…”`, for the staff member. */
  place: string;
}

export interface SectionOptions {
  /** The element's place if it is a question, else undefined. */
  questionOf(element: Element): QuestionElement | undefined;
  /** Elements that end a section but are no question and no answer (a page's title, dl/details handled apart). */
  boundary(element: Element): boolean;
  /** Resolves relative links. */
  base?: string;
  /** Links every pair gets (the page's own, to the element's anchor where it has an id). */
  linksOf?(element: Element, text: string): { url: string; title: string }[];
  sources?: string[];
}

export const text = (node: ChildNode | ChildNode[]): string => DomUtils.textContent(node).replace(/\s+/g, ' ').trim();

export function pairsOfSections(roots: readonly ChildNode[], options: SectionOptions): { pairs: FoundPair[]; problems: ImportProblem[] } {
  type Section = { element: Element; question: string; at: QuestionElement; nodes: ChildNode[] };
  const sections: Section[] = [];
  let current: Section | undefined;
  // The questions and boundaries found once, and every element that holds one: a wrapper around
  // questions (a section, an accordion item) is opened, anything else is part of an answer.
  const questions = new Map<Element, QuestionElement>();
  const boundaries = new Set<Element>();
  for (const element of DomUtils.findAll(() => true, roots as ChildNode[])) {
    const at = options.questionOf(element);
    if (at !== undefined) questions.set(element, at);
    else if (options.boundary(element)) boundaries.add(element);
  }
  const wrappers = new Set<unknown>();
  for (const element of [...questions.keys(), ...boundaries]) {
    for (let up = element.parent; up !== null && !wrappers.has(up); up = up.parent) wrappers.add(up);
  }
  const visit = (node: ChildNode): void => {
    if (node instanceof Element) {
      const at = questions.get(node);
      if (at !== undefined) {
        current = { element: node, question: text(node), at, nodes: [] };
        sections.push(current);
        return;
      }
      if (boundaries.has(node)) {
        current = undefined;
        return;
      }
      if (wrappers.has(node)) {
        for (const child of node.children) visit(child);
        return;
      }
    }
    current?.nodes.push(node);
  };
  for (const root of roots) visit(root);

  const pairs: FoundPair[] = [];
  const problems: ImportProblem[] = [];
  for (const section of sections) {
    const answer = answerOfNodes(section.nodes, options.base);
    if (answer.text === '') {
      if (section.question.endsWith('?')) problems.push(problem(section.at.where, `${section.at.place}: pēc jautājuma nav atbildes.`));
      continue;
    }
    pairs.push({
      where: section.at.where,
      place: section.at.place,
      questions: { lv: [section.question] },
      answers: { lv: answer.text },
      links: [...answer.links, ...(options.linksOf?.(section.element, section.question) ?? [])],
      sources: options.sources ?? [],
    });
  }
  return { pairs, problems };
}

export const headingLevel = (element: Element): number | undefined => {
  const m = /^h([1-6])$/.exec(element.name.toLowerCase());
  return m ? Number(m[1]) : undefined;
};

export const headingPlace = (question: string): QuestionElement => ({ where: `heading "${quoted(question)}"`, place: `virsraksts „${quoted(question)}”` });
