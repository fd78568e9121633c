// Staff accounts: created and changed by `npm run staff` (admins), checked at console login. The
// languages staff speak decide which foreign languages the bot offers (R3) and who sees which
// conversation in the queue.
import { randomUUID } from 'node:crypto';
import { LANGUAGE_CODES, type LanguageCode } from '../../knowledge/schema.js';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { HandoverRepository, StaffMember, StaffRole } from './repository.js';

export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export type StaffResult<T = StaffMember> =
  | { ok: true; value: T }
  | { ok: false; code: 'bad-login' | 'login-taken' | 'not-found' | 'bad-password' | 'bad-languages' | 'bad-name' | 'in-use'; message: string };

/** Languages in the canonical order (Latvian first), without duplicates; undefined if one is unknown. */
export function parseLanguages(list: readonly string[]): LanguageCode[] | undefined {
  const wanted = new Set(list.map((l) => l.trim().toLowerCase()).filter(Boolean));
  if ([...wanted].some((l) => !(LANGUAGE_CODES as readonly string[]).includes(l))) return undefined;
  return LANGUAGE_CODES.filter((l) => wanted.has(l));
}

/** The name the citizen sees: the first name only. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/** A public view of an account: everything but the hash. */
export type StaffView = Omit<StaffMember, 'passwordHash'>;
export const viewOf = ({ passwordHash: _hidden, ...rest }: StaffMember): StaffView => rest;

export class StaffDirectory {
  constructor(
    private readonly repo: HandoverRepository,
    private readonly now: () => Date = () => new Date(),
    /** Told after every change (refreshes the offered languages, tells other instances). */
    private readonly changed: () => void = () => {},
  ) {}

  async add(input: { name: string; login: string; languages: readonly string[]; role: StaffRole; password: string }): Promise<StaffResult> {
    const login = input.login.trim().toLowerCase();
    if (!LOGIN_PATTERN.test(login)) return fail('bad-login', 'a login is 2–64 lower-case letters, digits, ".", "_" or "-"');
    const name = input.name.trim();
    if (name === '' || name.length > 100) return fail('bad-name', 'a name of 1–100 characters');
    const languages = parseLanguages(input.languages);
    if (!languages || languages.length === 0) return fail('bad-languages', `languages among ${LANGUAGE_CODES.join(', ')}`);
    const problem = passwordProblem(input.password);
    if (problem) return fail('bad-password', `password: ${problem}`);
    const member: StaffMember = {
      id: randomUUID(),
      login,
      name,
      languages,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      createdAt: this.now(),
    };
    if ((await this.repo.createStaff(member)) === 'login-taken') return fail('login-taken', `login ${login} exists`);
    this.changed();
    return { ok: true, value: member };
  }

  list(): Promise<StaffMember[]> {
    return this.repo.listStaff();
  }

  async setLanguages(login: string, list: readonly string[]): Promise<StaffResult> {
    const languages = parseLanguages(list);
    if (!languages || languages.length === 0) return fail('bad-languages', `languages among ${LANGUAGE_CODES.join(', ')}`);
    return this.update(login, { languages });
  }

  async disable(login: string): Promise<StaffResult> {
    const result = await this.update(login, { disabledAt: this.now() });
    if (result.ok) {
      await this.repo.deleteSessionsOf(result.value.id);
      await this.repo.setPresence(result.value.id, 'offline', this.now());
    }
    return result;
  }

  enable(login: string): Promise<StaffResult> {
    return this.update(login, { disabledAt: null });
  }

  async resetPassword(login: string, password: string): Promise<StaffResult> {
    const problem = passwordProblem(password);
    if (problem) return fail('bad-password', `password: ${problem}`);
    const result = await this.update(login, { passwordHash: await hashPassword(password) });
    // Whoever knew the old password is logged out everywhere.
    if (result.ok) await this.repo.deleteSessionsOf(result.value.id);
    return result;
  }

  async remove(login: string): Promise<StaffResult<{ login: string }>> {
    const member = await this.repo.staffByLogin(login.trim().toLowerCase());
    if (!member) return fail('not-found', `no staff member with login ${login}`);
    const result = await this.repo.removeStaff(member.id);
    if (result === 'in-use') return fail('in-use', `${member.login} has closed cases on record: disable the account instead`);
    if (result === 'not-found') return fail('not-found', `no staff member with login ${login}`);
    this.changed();
    return { ok: true, value: { login: member.login } };
  }

  /** The enabled member with this login and password; the same time is spent when the login is unknown. */
  async authenticate(login: string, password: string): Promise<StaffMember | undefined> {
    const member = await this.repo.staffByLogin(login.trim().toLowerCase());
    const ok = await verifyPassword(password, member?.passwordHash ?? (await dummyPasswordHash()));
    return ok && member && !member.disabledAt ? member : undefined;
  }

  private async update(login: string, patch: Parameters<HandoverRepository['updateStaff']>[1]): Promise<StaffResult> {
    const member = await this.repo.staffByLogin(login.trim().toLowerCase());
    if (!member) return fail('not-found', `no staff member with login ${login}`);
    await this.repo.updateStaff(member.id, patch);
    this.changed();
    return { ok: true, value: (await this.repo.staffById(member.id)) ?? member };
  }
}

function fail(code: Extract<StaffResult, { ok: false }>['code'], message: string): { ok: false; code: typeof code; message: string } {
  return { ok: false, code, message };
}
