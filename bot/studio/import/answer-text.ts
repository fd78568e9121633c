// An imported answer written the way the agencies' entries are (knowledge/agencies/*/entries): one
// paragraph a line, list items as "- …" (numbered ones "1. …"), which Web Chat renders as Markdown;
// a link's text stays in the sentence and the link itself goes to the entry's links, which the bot
// adds under the answer ("Vairāk: [title](url)", dialogs/flows/answering.ts).
import { Element, Text, type ChildNode } from 'domhandler';

export interface Answer {
  text: string;
  links: { url: string; title: string }[];
}

/** A bullet as people type one in a cell: "•", "·", "▪", "–", "*" or "-" and a space. */
const TYPED_BULLET = /^\s*[•·▪◦‣–—*-]\s+/;

/** A cell's or a paragraph's plain text as an answer: typed bullets become Markdown list items, blank lines go. */
export function answerText(plain: string): string {
  return plain
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim().replace(/[ \t]+/g, ' '))
    .filter((line) => line !== '')
    .map((line) => (TYPED_BULLET.test(line) ? `- ${line.replace(TYPED_BULLET, '')}` : line))
    .join('\n');
}

/** Elements whose content is no part of an answer's text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'img',
  'svg',
  'picture',
  'video',
  'audio',
  'iframe',
  'object',
  'button',
  'form',
  'input',
  'select',
  'textarea',
]);
/** Elements that stand on lines of their own. */
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'aside',
  'header',
  'footer',
  'main',
  'blockquote',
  'pre',
  'figure',
  'figcaption',
  'address',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'dl',
  'dt',
  'dd',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'caption',
  'hr',
  'details',
  'summary',
]);

/** The answer that HTML nodes (a saved page's, or mammoth's from a DOCX) hold; relative links resolved against `base` where the page names its URL. */
export function answerOfNodes(nodes: readonly ChildNode[], base?: string): Answer {
  const lines: string[] = [];
  const links = new Map<string, string>();
  let prefix = '';
  let current = '';
  const flush = () => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text !== '') lines.push(`${prefix}${text}`);
    current = '';
    prefix = '';
  };
  const walk = (node: ChildNode, depth: number): void => {
    if (node instanceof Text) {
      current += node.data;
      return;
    }
    if (!(node instanceof Element)) return;
    const name = node.name.toLowerCase();
    if (SKIPPED.has(name)) return;
    if (name === 'br') return flush();
    if (name === 'ul' || name === 'ol') {
      flush();
      let n = 0;
      for (const child of node.children) {
        if (child instanceof Element && child.name.toLowerCase() === 'li') {
          n += 1;
          flush();
          const indent = '  '.repeat(depth);
          prefix = name === 'ol' ? `${indent}${n}. ` : `${indent}- `;
          for (const inner of child.children) walk(inner, depth + 1);
          flush();
        } else {
          walk(child, depth);
        }
      }
      return;
    }
    if (name === 'a') {
      const before = current.length;
      for (const child of node.children) walk(child, depth);
      const url = absoluteUrl(node.attribs['href'], base);
      const title = current.slice(before).replace(/\s+/g, ' ').trim();
      if (url !== undefined && !links.has(url)) links.set(url, title === '' ? url : title);
      return;
    }
    if (name === 'td' || name === 'th') {
      for (const child of node.children) walk(child, depth);
      current += ' ';
      return;
    }
    const block = BLOCKS.has(name);
    // A list item's paragraph stays on the item's line.
    if (block && prefix === '') flush();
    for (const child of node.children) walk(child, depth);
    if (block && prefix === '') flush();
  };
  for (const node of nodes) walk(node, 0);
  flush();
  return { text: lines.join('\n'), links: [...links].map(([url, title]) => ({ url, title })) };
}

/** An http(s) link as an absolute URL; a relative one only where the page's own URL is known. */
export function absoluteUrl(href: string | undefined, base: string | undefined): string | undefined {
  if (href === undefined || href.trim() === '' || href.startsWith('#')) return undefined;
  try {
    const url = base === undefined ? new URL(href.trim()) : new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
