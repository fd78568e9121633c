// The Messenger channel's settings, taken from the parsed configuration: present only when the
// channel is configured (bot/config.ts refuses a partial configuration at start).
import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';

/**
 * The Pages the app sends as: one token for whatever Page it belongs to (FACEBOOK_PAGE_ACCESS_TOKEN,
 * a single-Page installation), or a token per Page id (FACEBOOK_PAGE_TOKENS).
 */
export type PageTokens = { kind: 'one'; token: string } | { kind: 'each'; tokens: ReadonlyMap<string, string> };

export interface MessengerSettings {
  appSecret: string;
  verifyToken: string;
  pages: PageTokens;
  /** Without a trailing slash, e.g. https://graph.facebook.com */
  graphApiUrl: string;
  /** e.g. v21.0 */
  graphApiVersion: string;
}

/** The channel's settings, or undefined when the channel is off (the three secrets unset). */
export function messengerSettingsFrom(config: Config): MessengerSettings | undefined {
  const { FACEBOOK_APP_SECRET, FACEBOOK_VERIFY_TOKEN, FACEBOOK_PAGE_ACCESS_TOKEN, FACEBOOK_PAGE_TOKENS } = config;
  const pages: PageTokens | undefined =
    FACEBOOK_PAGE_TOKENS !== undefined
      ? { kind: 'each', tokens: FACEBOOK_PAGE_TOKENS }
      : FACEBOOK_PAGE_ACCESS_TOKEN !== undefined
        ? { kind: 'one', token: FACEBOOK_PAGE_ACCESS_TOKEN }
        : undefined;
  if (FACEBOOK_APP_SECRET === undefined || FACEBOOK_VERIFY_TOKEN === undefined || pages === undefined) return undefined;
  return {
    appSecret: FACEBOOK_APP_SECRET,
    verifyToken: FACEBOOK_VERIFY_TOKEN,
    pages,
    graphApiUrl: config.FACEBOOK_GRAPH_API_URL.replace(/\/+$/, ''),
    graphApiVersion: config.FACEBOOK_GRAPH_API_VERSION,
  };
}

/** The access token to send as this Page, if the installation has one. */
export function pageToken(pages: PageTokens, pageId: string): string | undefined {
  return pages.kind === 'one' ? pages.token : pages.tokens.get(pageId);
}

/**
 * A page-scoped id as it may appear in logs: a keyed hash (HMAC with the app secret), so a log line
 * can be matched to others about the same person but not turned back into the id by hashing
 * candidate ids.
 */
export function recipientHasher(appSecret: string): (psid: string) => string {
  return (psid) => createHmac('sha256', appSecret).update(`psid:${psid}`).digest('hex').slice(0, 16);
}
