// A FAQ page saved from an agency's site (htmlparser2, dom.ts): questions as h2–h4 headings with the text
// after them, as dt/dd pairs, or as details/summary. The page's own URL (its canonical link, og:url,
// or the "saved from url=" note browsers write) and title become the pairs' source and link, the
// element's id its anchor. The site's navigation, header, footer and scripts are no answers.
import { DomUtils, MAX_HTML_DEPTH, parseHtml } from './dom.js';
import { Comment, Element, type ChildNode } from 'domhandler';
import { absoluteUrl, answerOfNodes } from './answer-text.js';
import { headingLevel, headingPlace, pairsOfSections, text } from './sections.js';
import { problem, quoted, refused, type FoundPair, type ImportProblem, type ReadResult } from './types.js';

/** Parts of a page that are the site around the FAQ, never its content (not form: ASP.NET pages wrap everything in one). */
const CHROME = new Set(['nav', 'header', 'footer', 'aside', 'script', 'style', 'noscript', 'template', 'iframe']);

export function readHtml(source: string): ReadResult {
  const doc = parseHtml(source);
  if (doc === undefined) return refused(`Lapas elementi ir ielikti cits citā dziļāk par ${MAX_HTML_DEPTH} līmeņiem: tāda lapa nav saglabāta tīmekļa lapa.`);
  const page = pageOf(doc.children);
  for (const chrome of DomUtils.findAll((e) => CHROME.has(e.name), doc.children)) DomUtils.removeElement(chrome);
  const root = DomUtils.findOne((e) => e.name === 'main', doc.children) ?? DomUtils.findOne((e) => e.name === 'body', doc.children) ?? doc;
  const roots = root === doc ? doc.children : [root];

  const linksOf = (element: Element, question: string): { url: string; title: string }[] => {
    if (page.url === undefined) return [];
    const id = element.attribs['id'] ?? (element.parent instanceof Element ? element.parent.attribs['id'] : undefined);
    const url = id ? `${page.url.split('#')[0]}#${encodeURIComponent(id)}` : page.url;
    return [{ url, title: page.title ?? quoted(question) }];
  };
  const sources = page.url === undefined ? [] : [page.url];
  const pairs: FoundPair[] = [];
  const problems: ImportProblem[] = [];

  // dt/dd: each run of dt (several ways of asking) and the dd after it.
  let dtNumber = 0;
  for (const dl of DomUtils.findAll((e) => e.name === 'dl', roots)) {
    let terms: { element: Element; text: string; n: number }[] = [];
    let answers: Element[] = [];
    const close = () => {
      const first = terms[0];
      if (first === undefined) return;
      const where = `dt ${first.n}`;
      const place = `${first.n}. jautājums (dt) „${quoted(first.text)}”`;
      const answer = answerOfNodes(answers, page.url);
      const phrasings = terms.map((t) => t.text).filter((t) => t !== '');
      if (phrasings.length === 0) problems.push(problem(where, `${place}: jautājums ir tukšs.`));
      else if (answer.text === '') problems.push(problem(where, `${place}: pēc jautājuma nav atbildes (dd).`));
      else
        pairs.push({
          where,
          place,
          questions: { lv: phrasings },
          answers: { lv: answer.text },
          links: [...answer.links, ...linksOf(first.element, first.text)],
          sources,
        });
      terms = [];
      answers = [];
    };
    for (const child of dl.children) {
      if (!(child instanceof Element)) continue;
      if (child.name === 'dt') {
        if (answers.length > 0) close();
        dtNumber += 1;
        terms.push({ element: child, text: text(child), n: dtNumber });
      } else if (child.name === 'dd') {
        answers.push(child);
      }
    }
    close();
  }

  // details/summary: the summary asks, the rest of the details answers.
  let summaryNumber = 0;
  for (const details of DomUtils.findAll((e) => e.name === 'details', roots)) {
    const summary = details.children.find((c): c is Element => c instanceof Element && c.name === 'summary');
    if (summary === undefined) continue;
    summaryNumber += 1;
    const question = text(summary);
    const where = `summary ${summaryNumber}`;
    const place = `${summaryNumber}. izvēršamais jautājums (summary) „${quoted(question)}”`;
    const answer = answerOfNodes(
      details.children.filter((c) => c !== summary),
      page.url,
    );
    if (question === '') problems.push(problem(where, `${place}: jautājums ir tukšs.`));
    else if (answer.text === '') problems.push(problem(where, `${place}: pēc jautājuma nav atbildes.`));
    else
      pairs.push({
        where,
        place,
        questions: { lv: [question] },
        answers: { lv: answer.text },
        links: [...answer.links, ...linksOf(details, question)],
        sources,
      });
  }

  // Headings: h2–h4 ask, what follows answers; h1 (the page's title), dl and details end a section.
  const sections = pairsOfSections(roots, {
    questionOf: (e) => {
      const level = headingLevel(e);
      if (level === undefined || level < 2 || level > 4 || insideOf(e, ['dl', 'details'])) return undefined;
      const question = text(e);
      return question === '' ? undefined : headingPlace(question);
    },
    boundary: (e) => headingLevel(e) === 1 || e.name === 'dl' || e.name === 'details',
    ...(page.url === undefined ? {} : { base: page.url }),
    linksOf,
    sources,
  });
  pairs.push(...sections.pairs);
  problems.push(...sections.problems);
  if (pairs.length === 0 && problems.length === 0) {
    return refused(
      'Lapā nav atrasts neviens jautājums ar atbildi: jautājumiem jābūt virsrakstiem (h2, h3) ar tekstu aiz tiem, dt/dd pāriem vai details/summary.',
    );
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, pairs };
}

function insideOf(element: Element, names: readonly string[]): boolean {
  for (let up = element.parent; up !== null; up = up.parent) if (up instanceof Element && names.includes(up.name)) return true;
  return false;
}

/** The page's own URL and title, where it names them. */
function pageOf(nodes: ChildNode[]): { url?: string; title?: string } {
  const attr = (test: (e: Element) => boolean, name: string) => DomUtils.findOne(test, nodes)?.attribs[name];
  const canonical = attr((e) => e.name === 'link' && (e.attribs['rel'] ?? '').toLowerCase().split(/\s+/).includes('canonical'), 'href');
  const ogUrl = attr((e) => e.name === 'meta' && e.attribs['property'] === 'og:url', 'content');
  // Chrome and Edge write "<!-- saved from url=(0042)https://… -->" at the top of a saved page.
  const comment = DomUtils.filter((n) => n instanceof Comment && /saved from url=/i.test(n.data), nodes, true, 1)[0] as Comment | undefined;
  const savedFrom = comment && /saved from url=\(\d+\)(\S+)/i.exec(comment.data)?.[1];
  const url = [canonical, ogUrl, savedFrom].map((u) => absoluteUrl(u, undefined)).find((u) => u !== undefined);
  const titleElement = DomUtils.findOne((e) => e.name === 'title', nodes);
  const ogTitle = attr((e) => e.name === 'meta' && e.attribs['property'] === 'og:title', 'content');
  const title = (titleElement ? text(titleElement) : '') || (ogTitle ?? '').trim();
  return { ...(url === undefined ? {} : { url }), ...(title === '' ? {} : { title: quoted(title) }) };
}
