// The Messenger channel's settings, taken from the parsed configuration: present only when the
// channel is configured (bot/config.ts refuses a partial configuration at start).
import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';

export interface MessengerSettings {
  appSecret: string;
  verifyToken: string;
  pageAccessToken: string;
  /** Without a trailing slash, e.g. https://graph.facebook.com */
  graphApiUrl: string;
  /** e.g. v21.0 */
  graphApiVersion: string;
}

/** The channel's settings, or undefined when the channel is off (the three secrets unset). */
export function messengerSettingsFrom(config: Config): MessengerSettings | undefined {
  const { FACEBOOK_APP_SECRET, FACEBOOK_VERIFY_TOKEN, FACEBOOK_PAGE_ACCESS_TOKEN } = config;
  if (FACEBOOK_APP_SECRET === undefined || FACEBOOK_VERIFY_TOKEN === undefined || FACEBOOK_PAGE_ACCESS_TOKEN === undefined) return undefined;
  return {
    appSecret: FACEBOOK_APP_SECRET,
    verifyToken: FACEBOOK_VERIFY_TOKEN,
    pageAccessToken: FACEBOOK_PAGE_ACCESS_TOKEN,
    graphApiUrl: config.FACEBOOK_GRAPH_API_URL.replace(/\/+$/, ''),
    graphApiVersion: config.FACEBOOK_GRAPH_API_VERSION,
  };
}

/**
 * A page-scoped id as it may appear in logs: a keyed hash (HMAC with the app secret), so a log line
 * can be matched to others about the same person but not turned back into the id by hashing
 * candidate ids.
 */
export function recipientHasher(appSecret: string): (psid: string) => string {
  return (psid) => createHmac('sha256', appSecret).update(`psid:${psid}`).digest('hex').slice(0, 16);
}
