// `npm run messenger:setup [-- --dry-run]`: sets the Get Started button and persistent menu of the
// Page of the agency AGENCY names (Latvian by default, plus the offered languages) via
// POST /{version}/me/messenger_profile, with that Page's token.
// The Messenger Profile API allows 10 calls per 10 minutes per Page: run it after changing the
// menu texts or the agency's staff languages, not on every start.
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { loadTexts } from '../i18n.js';
import { GraphApiClient } from '../messenger/graph-api.js';
import { messengerProfile } from '../messenger/profile.js';
import { messengerSettingsFrom, pageToken } from '../messenger/settings.js';
import { KnowledgeLoadError, KnowledgeSource } from '../../knowledge/source.js';
import type { LanguageCode } from '../../knowledge/schema.js';

export interface SetupIo {
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: typeof fetch;
}

/** Returns the exit code. */
export async function runMessengerSetup(env: Record<string, string | undefined>, args: string[], io: SetupIo): Promise<number> {
  let config;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...env, KNOWLEDGE_HOT_RELOAD: 'false' });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  const settings = messengerSettingsFrom(config);
  if (settings === undefined) {
    io.err(
      'The Messenger channel is not configured: set FACEBOOK_APP_SECRET, FACEBOOK_VERIFY_TOKEN and FACEBOOK_PAGE_ACCESS_TOKEN (or FACEBOOK_PAGE_TOKENS) (see README).',
    );
    return 1;
  }
  const log = createLogger(config.LOG_LEVEL, 2);
  let knowledge;
  try {
    knowledge = new KnowledgeSource({ knowledgeDir: config.KNOWLEDGE_DIR, agency: config.AGENCY, now: () => new Date() }, log).current;
  } catch (err) {
    if (err instanceof KnowledgeLoadError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  const texts = loadTexts(config.LOCALES_DIR);
  const languages = knowledge.profile.staffLanguages.filter((l): l is LanguageCode => texts.languagesWithTexts.includes(l));
  const profile = messengerProfile(knowledge, texts, languages);
  const locales = profile.persistent_menu.map((m) => m.locale).join(', ');

  if (args.includes('--dry-run')) {
    io.out(JSON.stringify(profile, null, 2));
    return 0;
  }
  const pageId = knowledge.profile.facebookPage?.id;
  const token = settings.pages.kind === 'one' ? settings.pages.token : pageId === undefined ? undefined : pageToken(settings.pages, pageId);
  if (token === undefined) {
    io.err(
      pageId === undefined
        ? `The profile of ${config.AGENCY} names no facebookPage: with FACEBOOK_PAGE_TOKENS each agency's profile names its Page.`
        : `FACEBOOK_PAGE_TOKENS has no token for the Page ${pageId} of ${config.AGENCY}.`,
    );
    return 1;
  }
  const graph = new GraphApiClient({ ...settings, pageAccessToken: token, log, ...(io.fetch ? { fetch: io.fetch } : {}) });
  const result = await graph.post<{ result?: string }>('me/messenger_profile', profile);
  if (!result.ok) {
    const { status, code, subcode, fbtraceId } = result.error;
    io.err(
      `Setting the Messenger profile failed (${result.reason}; HTTP ${status ?? '?'}${code === undefined ? '' : `, code ${code}`}${subcode === undefined ? '' : `/${subcode}`}${fbtraceId ? `, fbtrace_id ${fbtraceId}` : ''}). ` +
        'Check FACEBOOK_PAGE_ACCESS_TOKEN (a Page token with pages_messaging) and FACEBOOK_GRAPH_API_VERSION.',
    );
    return 1;
  }
  io.out(
    `Messenger profile set for ${config.AGENCY}: Get Started button; menu "${profile.persistent_menu[0]?.call_to_actions.map((i) => i.title).join('", "')}"; locales ${locales}.`,
  );
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMessengerSetup(process.env, process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}
