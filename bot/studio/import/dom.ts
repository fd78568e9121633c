// HTML to a DOM for the import's readers (a saved page, mammoth's HTML of a DOCX): htmlparser2
// building domhandler nodes that domutils walks, with the nesting bounded while it parses. The
// parser looks back through every open element at each closing tag, so 100,000 nested elements
// took it 20 s; refused once deeper than MAX_HTML_DEPTH, a page costs at most that per tag.
import { Parser } from 'htmlparser2';
import { DomHandler, type Document } from 'domhandler';

export * as DomUtils from 'domutils';

/** Deeper than any real page or document nests. */
export const MAX_HTML_DEPTH = 256;

class TooDeep extends Error {
  constructor() {
    super('nested too deep');
    this.name = 'TooDeep';
  }
}

/** A DomHandler that stops the parse as soon as the open elements are deeper than the limit. */
class BoundedHandler extends DomHandler {
  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > MAX_HTML_DEPTH) throw new TooDeep();
    super.onopentag(name, attribs);
  }
}

/** The document, or undefined when it nests deeper than MAX_HTML_DEPTH. */
export function parseHtml(html: string): Document | undefined {
  const handler = new BoundedHandler();
  const parser = new Parser(handler, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  try {
    parser.end(html);
  } catch (err) {
    if (err instanceof TooDeep) return undefined;
    throw err;
  }
  return handler.root;
}
