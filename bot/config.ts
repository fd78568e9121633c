// The one place where the environment becomes configuration: a zod schema, parsed once at start.
import { z } from 'zod';
import { agencyFolder } from '../knowledge/schema.js';

const port = z.coerce.number().int().min(0).max(65535);
/** A folder name under knowledge/agencies/. */
export const agencyId = agencyFolder;
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const configSchema = z
  .object({
    PORT: port.default(3978),
    /**
     * The default agency (a folder name under knowledge/agencies/): the one `npm run ask` and the Bot
     * Framework endpoint speak for, and a widget that names none.
     */
    AGENCY: agencyId.default('dvi'),
    /** The agencies served, comma-separated folder names. Unset: every folder under knowledge/agencies/. */
    AGENCIES: optionalSecret.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((a) => a.trim())
            .filter((a) => a !== ''),
        )
        .pipe(z.array(agencyId).min(1))
        .optional(),
    ),
    DATA_DIR: z.string().min(1).default('./data'),
    KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
    LOCALES_DIR: z.string().min(1).default('./locales'),
    MicrosoftAppId: z.string().trim().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: z.string().default(''),
    /** Signs Direct Line tokens. Unset: a random key made once and kept in DATA_DIR (SQLite); required with PostgreSQL. */
    DIRECTLINE_TOKEN_SECRET: optionalSecret.pipe(z.string().min(32, 'at least 32 characters').optional()),
    /**
     * Hosts the Bot Framework's serviceUrl may name (comma-separated, `*.example.com` for subdomains):
     * the bot POSTs its replies there. Default: Azure's channels, or loopback while MicrosoftAppId is empty.
     */
    BOT_SERVICE_URL_HOSTS: optionalSecret.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter((h) => h !== ''),
        )
        .pipe(z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+$|^\[[0-9a-f:]+\]$/, 'host names such as *.botframework.com or localhost')).min(1))
        .optional(),
    ),
    /** Optional Direct Line secret for server-side clients that exchange it for tokens. */
    DIRECTLINE_SECRET: optionalSecret.pipe(z.string().min(16, 'at least 16 characters').optional()),
    /** Bearer token for /metrics from other hosts (loopback needs none). */
    METRICS_TOKEN: optionalSecret.pipe(z.string().min(16, 'at least 16 characters').optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Largest request body accepted on public endpoints. */
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10_000_000)
      .default(64 * 1024),
    /** Watch the knowledge folder and reload on edits. */
    KNOWLEDGE_HOT_RELOAD: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    /** PostgreSQL shared by several instances (postgres://user:password@host/db). Unset: SQLite under DATA_DIR. */
    DATABASE_URL: optionalSecret.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// or postgresql:// URL')
        .optional(),
    ),
    /** Requests per minute from one address to Direct Line (the browsers' endpoint); 0 = no limit. */
    RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    /** Requests per minute from one address to /api/messages and /api/messenger (channel servers). */
    RATE_LIMIT_CHANNEL_IP_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
    /** Requests per minute in one conversation, on every public endpoint. */
    RATE_LIMIT_CONVERSATION_PER_MINUTE: z.coerce.number().int().min(0).default(120),
    /** Reverse proxies in front of the bot whose X-Forwarded-For is trusted (0: use the socket address). */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
    /** How often expired records are purged (the limit itself is the agency's retentionDays). */
    RETENTION_SWEEP_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
    // --- Staff side of handover (bot/handover/, bot/staff/) ---
    /**
     * `always`: staff take chats at any hour, whatever the profile's working hours say: to try a live
     * handover on a laptop in the evening. Never in production: citizens would be queued for a person
     * at night. `profile` (default): the agency's working hours and holidays.
     */
    STAFF_HOURS: z.enum(['profile', 'always']).default('profile'),
    /**
     * The knowledge studio's labelled question sets (bot/studio/labelled.ts): a folder laid out as
     * test/eval is (<dir>/<agency>/*.jsonl, <dir>/*.jsonl for the default agency). Unset: none.
     */
    STUDIO_LABELLED_DIR: optionalSecret,
    /** SMTP server for mailing left questions to the agency: smtp(s)://user:password@host:port. Overrides SMTP_HOST etc. */
    SMTP_URL: optionalSecret.pipe(
      z
        .string()
        .regex(/^smtps?:\/\/\S+$/, 'an smtp:// or smtps:// URL')
        .optional(),
    ),
    SMTP_HOST: optionalSecret,
    /** 465 means implicit TLS; other ports use STARTTLS when the server offers it. */
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    SMTP_USER: optionalSecret,
    SMTP_PASS: optionalSecret,
    /** The sender of case e-mails ("Padoms <padoms@agency.lv>"); required with SMTP. */
    SMTP_FROM: optionalSecret,
    /** Where cases are mailed; default: the profile's `mailbox`, else its contact e-mail. */
    AGENCY_MAILBOX: optionalSecret.pipe(z.email('an e-mail address').optional()),
    /** Staff console cookies carry the Secure flag (and the __Host- prefix). `false` only for plain http outside localhost. */
    COOKIE_SECURE: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    // --- end of the staff side ---
    // Facebook Messenger channel (bot/messenger/): off while the three secrets are unset.
    FACEBOOK_APP_SECRET: optionalSecret,
    FACEBOOK_VERIFY_TOKEN: optionalSecret,
    /** One Page (the default agency's, or the one whose profile names it): its access token. */
    FACEBOOK_PAGE_ACCESS_TOKEN: optionalSecret,
    /**
     * Several Pages, one per agency: `<page id>:<access token>` pairs, comma-separated. Each agency's
     * profile names its Page (`facebookPage.id`); an event for a Page no profile names is ignored.
     */
    FACEBOOK_PAGE_TOKENS: optionalSecret.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((pair) => pair.trim())
            .filter((pair) => pair !== ''),
        )
        .pipe(z.array(z.string().regex(/^\d{1,30}:[^\s:]{10,}$/, '<page id>:<access token> pairs')).min(1))
        .transform((pairs) => new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)] as const)))
        .optional(),
    ),
    FACEBOOK_GRAPH_API_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).default('https://graph.facebook.com'),
    FACEBOOK_GRAPH_API_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, 'a Graph API version such as v21.0')
      .default('v21.0'),
  })
  .refine((c) => c.AGENCIES === undefined || c.AGENCIES.includes(c.AGENCY), {
    message: 'the default agency must be one of AGENCIES',
    path: ['AGENCY'],
  })
  .refine((c) => c.MicrosoftAppType !== 'SingleTenant' || c.MicrosoftAppTenantId !== '', {
    message: 'MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant',
    path: ['MicrosoftAppTenantId'],
  })
  // Several instances share one database: each must verify the Direct Line tokens the others issue.
  .refine((c) => c.DATABASE_URL === undefined || c.DIRECTLINE_TOKEN_SECRET !== undefined, {
    message: 'required with DATABASE_URL: set the same secret (at least 32 characters) on every instance, so any instance accepts the tokens another issued',
    path: ['DIRECTLINE_TOKEN_SECRET'],
  })
  // Mail for cases needs a sender address once an SMTP server is named.
  .refine((c) => (c.SMTP_URL === undefined && c.SMTP_HOST === undefined) || c.SMTP_FROM !== undefined, {
    message: 'required with SMTP_URL or SMTP_HOST: the sender address of case e-mails',
    path: ['SMTP_FROM'],
  })
  .refine((c) => c.FACEBOOK_PAGE_ACCESS_TOKEN === undefined || c.FACEBOOK_PAGE_TOKENS === undefined, {
    message: 'set either FACEBOOK_PAGE_ACCESS_TOKEN (one Page) or FACEBOOK_PAGE_TOKENS (a token per Page), not both',
    path: ['FACEBOOK_PAGE_TOKENS'],
  })
  // A half-configured Messenger channel is a mistake, not "off": name what is missing.
  .superRefine((c, ctx) => {
    const names = [
      'FACEBOOK_APP_SECRET',
      'FACEBOOK_VERIFY_TOKEN',
      c.FACEBOOK_PAGE_TOKENS === undefined ? 'FACEBOOK_PAGE_ACCESS_TOKEN' : 'FACEBOOK_PAGE_TOKENS',
    ] as const;
    const set = names.filter((n) => c[n] !== undefined);
    if (set.length === 0 || set.length === names.length) return;
    for (const n of names.filter((name) => c[name] === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [n],
        message: `required for the Messenger channel when ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses configuration from an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // The variable, not a part of its parsed value ("AGENCIES.1" is AGENCIES' second name).
    const name = String(issue.path[0] ?? '');
    const value = env[name];
    const shown = value === undefined ? 'unset' : isSecretName(name) ? '(hidden)' : JSON.stringify(value);
    return `${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

function isSecretName(name: string): boolean {
  // DATABASE_URL and SMTP_URL carry passwords; SMTP_PASS is one.
  return /PASS|SECRET|TOKEN|DATABASE_URL|SMTP_URL/i.test(name);
}

/**
 * Configuration for tests and tools: defaults plus overrides, no environment read. One agency (the
 * default) unless AGENCIES names more: most tests speak to one, and need not load every folder.
 */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', KNOWLEDGE_HOT_RELOAD: 'false', AGENCIES: overrides.AGENCY ?? 'dvi', ...overrides });
}
