// One Messenger app serving several agencies' Facebook Pages: each Page's events are answered from
// the knowledge of the agency whose profile names the Page, and the replies go out with that Page's
// token; a Page no agency names is ignored. The real app over HTTP on loopback, a Graph API stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './support/app.js';
import { startGraphApi, type GraphStandIn } from './support/graph-api.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';
import { signBody } from '../bot/messenger/signature.js';
import { ConfigError, loadConfig } from '../bot/config.js';

const APP_SECRET = 'test-app-secret-0123456789abcdef';
const LIBRARY_PAGE = '104000000000011';
const ARCHIVE_PAGE = '104000000000012';
const LIBRARY_TOKEN = 'library-page-token-0001';
const ARCHIVE_TOKEN = 'archive-page-token-0002';

let graph: GraphStandIn;
let site: RunningApp;
let counter = 0;

beforeAll(async () => {
  graph = await startGraphApi({ token: LIBRARY_TOKEN, pageTokens: [ARCHIVE_TOKEN] });
  site = await startApp({
    KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE,
    AGENCY: 'library',
    AGENCIES: 'library,archive',
    FACEBOOK_APP_SECRET: APP_SECRET,
    FACEBOOK_VERIFY_TOKEN: 'test-verify-token',
    FACEBOOK_PAGE_TOKENS: `${LIBRARY_PAGE}:${LIBRARY_TOKEN}, ${ARCHIVE_PAGE}:${ARCHIVE_TOKEN}`,
    FACEBOOK_GRAPH_API_URL: graph.url,
    FACEBOOK_GRAPH_API_VERSION: graph.version,
  });
});
afterAll(async () => {
  await site?.app.messenger?.idle();
  await site?.stop();
  await graph?.close();
});

/** One person's message (or a button's postback) to a Page, delivered and signed as Meta does; the requests it caused. */
async function write(pageId: string, psid: string, text: string, postback?: { title: string; payload: string }) {
  counter += 1;
  const said = postback ? { postback: { mid: `p_${counter}`, ...postback } } : { message: { mid: `m_${counter}`, text } };
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: pageId, time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: pageId }, timestamp: Date.now(), ...said }] }],
  });
  const before = graph.requests.length;
  const res = await fetch(`${site.origin}/api/messenger`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(body, APP_SECRET) },
    body,
  });
  expect(res.status).toBe(200);
  await site.app.messenger!.idle();
  const sent = graph.requests.slice(before).filter((r) => (r.body as { recipient?: { id: string }; message?: unknown }).message !== undefined);
  type Sent = { text?: string; attachment?: { payload: { text?: string; buttons?: { title: string; payload?: string }[] } } };
  const messages = sent.map((r) => (r.body as { message: Sent }).message);
  return {
    text: messages.map((m) => m.text ?? m.attachment?.payload.text ?? '').join('\n'),
    buttons: messages.flatMap((m) => m.attachment?.payload.buttons ?? []),
    tokens: new Set(sent.map((r) => r.query.access_token)),
  };
}

describe('one app, several Pages', () => {
  it("answers each Page from its agency's knowledge, with that Page's token", async () => {
    const archive = site.app.agencies.knowledge('archive')!.entries.get('archive.certificate')!.answer.lv;
    const library = site.app.agencies.knowledge('library')!.entries.get('library.card')!.answer.lv;

    const toArchive = await write(ARCHIVE_PAGE, 'P-archive-1', 'Kā saņemt arhīva izziņu?');
    expect(toArchive.text).toContain(archive.trim().slice(0, 40));
    expect(toArchive.tokens).toEqual(new Set([ARCHIVE_TOKEN]));

    const toLibrary = await write(LIBRARY_PAGE, 'P-library-1', 'Kā saņemt lasītāja karti?');
    expect(toLibrary.text).toContain(library.trim().slice(0, 40));
    expect(toLibrary.tokens).toEqual(new Set([LIBRARY_TOKEN]));
    // Each Page's privacy notice ends with its own agency's contacts.
    expect(toArchive.text).toContain(site.app.agencies.profile('archive')!.contacts.email!);
    expect(toLibrary.text).not.toContain(site.app.agencies.profile('archive')!.contacts.email!);
  });

  it("forwards on Messenger too: the offer is a button; pressed, the archive answers in the library Page's chat", async () => {
    const lv = site.app.texts.forLanguage('lv');
    const referred = await write(LIBRARY_PAGE, 'P-forward-1', 'Kā saņemt arhīva izziņu?');
    const offer = referred.buttons.find((b) => b.title === lv('forward.button'));
    expect(offer?.payload).toBeDefined();
    const pressed = await write(LIBRARY_PAGE, 'P-forward-1', '', { title: offer!.title, payload: offer!.payload! });
    expect(pressed.text).toContain('Esmu Pilsētas arhīvs virtuālais asistents');
    expect(pressed.text).toContain(site.app.agencies.knowledge('archive')!.entries.get('archive.certificate')!.answer.lv.trim().slice(0, 40));
    // The same chat: the person wrote to the library's Page, so its token carries the archive's words.
    expect(pressed.tokens).toEqual(new Set([LIBRARY_TOKEN]));
  });

  it('ignores a Page no agency names: no turn, nothing sent', async () => {
    const other = await write('104000000000099', 'P-other-1', 'Kā saņemt lasītāja karti?');
    expect(other.text).toBe('');
    expect(other.tokens.size).toBe(0);
  });

  it('refuses Page tokens that are not <page id>:<token> pairs, naming the variable, never its value', () => {
    const env = { FACEBOOK_APP_SECRET: APP_SECRET, FACEBOOK_VERIFY_TOKEN: 'v', FACEBOOK_PAGE_TOKENS: 'just-a-token-without-a-page' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/FACEBOOK_PAGE_TOKENS=\(hidden\)/);
      expect((err as ConfigError).problems.join('\n')).not.toContain('just-a-token');
    }
  });
});
