// The one place where the environment becomes configuration: a zod schema, parsed once at start.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const configSchema = z
  .object({
    PORT: port.default(3978),
    /** Folder name under knowledge/agencies/ of the agency this bot speaks for. */
    AGENCY: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'a folder name under knowledge/agencies, lower-case')
      .default('dvi'),
    DATA_DIR: z.string().min(1).default('./data'),
    KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
    LOCALES_DIR: z.string().min(1).default('./locales'),
    MicrosoftAppId: z.string().trim().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: z.string().default(''),
    /** Signs Direct Line tokens. Unset: a random key per process (tokens end with the process). */
    DIRECTLINE_TOKEN_SECRET: optionalSecret.pipe(z.string().min(32, 'at least 32 characters').optional()),
    /** Optional Direct Line secret for server-side clients that exchange it for tokens. */
    DIRECTLINE_SECRET: optionalSecret.pipe(z.string().min(16, 'at least 16 characters').optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Largest request body accepted on public endpoints. */
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(64 * 1024),
    /** Watch the knowledge folder and reload on edits. */
    KNOWLEDGE_HOT_RELOAD: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    // Facebook Messenger channel (bot/messenger/): off while the three secrets are unset.
    FACEBOOK_APP_SECRET: optionalSecret,
    FACEBOOK_VERIFY_TOKEN: optionalSecret,
    FACEBOOK_PAGE_ACCESS_TOKEN: optionalSecret,
    FACEBOOK_GRAPH_API_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).default('https://graph.facebook.com'),
    FACEBOOK_GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version such as v21.0').default('v21.0'),
  })
  .refine((c) => c.MicrosoftAppType !== 'SingleTenant' || c.MicrosoftAppTenantId !== '', {
    message: 'MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant',
    path: ['MicrosoftAppTenantId'],
  })
  // A half-configured Messenger channel is a mistake, not "off": name what is missing.
  .superRefine((c, ctx) => {
    const names = ['FACEBOOK_APP_SECRET', 'FACEBOOK_VERIFY_TOKEN', 'FACEBOOK_PAGE_ACCESS_TOKEN'] as const;
    const set = names.filter((n) => c[n] !== undefined);
    if (set.length === 0 || set.length === names.length) return;
    for (const n of names.filter((name) => c[name] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [n], message: `required for the Messenger channel when ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set` });
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
    const name = issue.path.join('.');
    const value = env[name];
    const shown = value === undefined ? 'unset' : isSecretName(name) ? '(hidden)' : JSON.stringify(value);
    return `${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

function isSecretName(name: string): boolean {
  return /PASSWORD|SECRET|TOKEN/i.test(name);
}

/** Configuration for tests and tools: defaults plus overrides, no environment read. */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', KNOWLEDGE_HOT_RELOAD: 'false', ...overrides });
}
