// Staff accounts: created and changed by `npm run staff` (the installation's operator) and by
// administrators in the console, checked at console login. An account serves agencies, with a role
// in each (roles.ts); what an administrator may change is decided here, whoever asks, so the
// console's routes cannot grant more than this allows. The languages staff speak decide which
// foreign languages the bot offers for their agencies (R3) and who sees which conversation.
import { randomUUID } from 'node:crypto';
import { agencyId } from '../config.js';
import { LANGUAGE_CODES, type LanguageCode } from '../../knowledge/schema.js';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { AGENCY_ROLES, EVERY_AGENCY, isAgencyRole, type AgencyMembership, type HandoverRepository, type StaffMember, type StaffRole } from './repository.js';
import { administers, grantable, isInstallationAdmin, managesAccount } from './roles.js';

export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export type StaffResult<T = StaffMember> =
  | { ok: true; value: T }
  | {
      ok: false;
      code: 'bad-login' | 'login-taken' | 'not-found' | 'bad-password' | 'bad-languages' | 'bad-name' | 'bad-agencies' | 'in-use' | 'forbidden';
      message: string;
    };

/** Languages in the canonical order (Latvian first), without duplicates; undefined if one is unknown. */
export function parseLanguages(list: readonly string[]): LanguageCode[] | undefined {
  const wanted = new Set(list.map((l) => l.trim().toLowerCase()).filter(Boolean));
  if ([...wanted].some((l) => !(LANGUAGE_CODES as readonly string[]).includes(l))) return undefined;
  return LANGUAGE_CODES.filter((l) => wanted.has(l));
}

/**
 * `library,archive:admin,museum:editor` → memberships (staff unless a role follows the colon: editor,
 * publisher, admin), in the order given, one per agency;
 * undefined if an id is not a folder name or a role is unknown.
 */
export function parseMemberships(text: string): AgencyMembership[] | undefined {
  const memberships: AgencyMembership[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [agency = '', role = 'staff', ...rest] = part.split(':');
    if (rest.length > 0 || !agencyId.safeParse(agency).success || !isAgencyRole(role)) return undefined;
    if (memberships.some((m) => m.agency === agency)) return undefined;
    memberships.push({ agency, role });
  }
  return memberships;
}

/** The name the citizen sees: the first name only. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/** A public view of an account: everything but the hash. */
export type StaffView = Omit<StaffMember, 'passwordHash'>;
export const viewOf = ({ passwordHash: _hidden, ...rest }: StaffMember): StaffView => rest;

export interface StaffDirectoryOptions {
  now?: () => Date;
  /** Where an account made without agencies serves (an installation of one agency, the CLI's default). */
  defaultAgency: string;
  /** The agencies memberships may name; unset: any folder name (the CLI, before a folder is added). */
  knownAgencies?: () => readonly string[];
  /** Told after every change (refreshes the offered languages, tells other instances). */
  changed?: () => void;
}

export interface NewStaff {
  name: string;
  login: string;
  languages: readonly string[];
  /** `admin`: an installation administrator. */
  role: StaffRole;
  password: string;
  /** Unset: staff of the default agency (an installation administrator: none needed). */
  agencies?: readonly AgencyMembership[];
}

/**
 * Every change takes `by`, the staff member asking (undefined: the installation's operator at the
 * CLI, who may do anything). An agency administrator may add staff and administrators of the
 * agencies they administer only, change only those memberships, and act on a whole account only if
 * it serves no other agency; nobody but an installation administrator makes one.
 */
export class StaffDirectory {
  private readonly now: () => Date;

  constructor(
    private readonly repo: HandoverRepository,
    private readonly options: StaffDirectoryOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async add(input: NewStaff, by?: StaffMember): Promise<StaffResult> {
    const login = input.login.trim().toLowerCase();
    if (!LOGIN_PATTERN.test(login)) return fail('bad-login', 'a login is 2–64 lower-case letters, digits, ".", "_" or "-"');
    const name = input.name.trim();
    if (name === '' || name.length > 100) return fail('bad-name', 'a name of 1–100 characters');
    const languages = parseLanguages(input.languages);
    if (!languages || languages.length === 0) return fail('bad-languages', `languages among ${LANGUAGE_CODES.join(', ')}`);
    if (input.role === 'admin' && by !== undefined && !isInstallationAdmin(by)) return fail('forbidden', 'only an installation administrator makes one');
    if (by !== undefined && grantable(by) !== undefined && input.agencies === undefined) return fail('bad-agencies', 'which agencies does the member serve?');
    const agencies = input.agencies ?? (input.role === 'admin' ? [] : [{ agency: this.options.defaultAgency, role: 'staff' as const }]);
    const refused = this.refusedMemberships(agencies, by);
    if (refused) return refused;
    if (input.role === 'staff' && agencies.length === 0) return fail('bad-agencies', 'a staff member serves at least one agency');
    const problem = passwordProblem(input.password);
    if (problem) return fail('bad-password', `password: ${problem}`);
    const member: StaffMember = {
      id: randomUUID(),
      login,
      name,
      languages,
      role: input.role,
      agencies: [...agencies],
      passwordHash: await hashPassword(input.password),
      createdAt: this.now(),
    };
    if ((await this.repo.createStaff(member)) === 'login-taken') return fail('login-taken', `login ${login} exists`);
    this.options.changed?.();
    return { ok: true, value: member };
  }

  /**
   * Every account (the operator, an installation administrator), or the accounts serving an agency
   * the administrator administers, with only those memberships shown.
   */
  async list(by?: StaffMember): Promise<StaffMember[]> {
    const all = await this.repo.listStaff();
    const mayGrant = grantable(by);
    if (mayGrant === undefined) return all;
    return all
      .filter((s) => !isInstallationAdmin(s) && s.agencies.some((m) => mayGrant(m.agency)))
      .map((s) => ({ ...s, agencies: s.agencies.filter((m) => mayGrant(m.agency)) }));
  }

  /** The member's own languages, or another's by whoever manages the account. */
  async setLanguages(login: string, list: readonly string[], by?: StaffMember): Promise<StaffResult> {
    const languages = parseLanguages(list);
    if (!languages || languages.length === 0) return fail('bad-languages', `languages among ${LANGUAGE_CODES.join(', ')}`);
    return this.update(login, (target) => by?.id === target.id || managesAccount(by, target), { languages });
  }

  /**
   * The member's agencies and roles. An agency administrator changes only the memberships of the
   * agencies they administer: the member's others are kept as they are.
   */
  async setAgencies(login: string, memberships: readonly AgencyMembership[], by?: StaffMember): Promise<StaffResult> {
    const target = await this.repo.staffByLogin(login.trim().toLowerCase());
    if (!target) return fail('not-found', `no staff member with login ${login}`);
    const mayGrant = grantable(by);
    if (mayGrant !== undefined && isInstallationAdmin(target)) return fail('forbidden', 'an installation administrator is changed by another');
    const refused = this.refusedMemberships(memberships, by);
    if (refused) return refused;
    const kept = mayGrant === undefined ? [] : target.agencies.filter((m) => !mayGrant(m.agency));
    const agencies = [...kept, ...memberships];
    if (!isInstallationAdmin(target) && agencies.length === 0)
      return fail('bad-agencies', 'a staff member serves at least one agency: disable the account instead');
    // Granted above, membership by membership.
    return this.update(target.login, () => true, { agencies });
  }

  /**
   * The member's role in one agency, or none (taken off it); their other memberships stay. Whoever
   * administers the agency may, for any account but an installation administrator's: this is also
   * how a member of another agency comes to serve this one.
   */
  async setRoleIn(login: string, agency: string, role: AgencyMembership['role'] | undefined, by?: StaffMember): Promise<StaffResult> {
    const target = await this.repo.staffByLogin(login.trim().toLowerCase());
    if (!target) return fail('not-found', `no staff member with login ${login}`);
    if (by !== undefined && !administers(by, agency)) return fail('forbidden', `you do not administer ${agency}`);
    if (by !== undefined && !isInstallationAdmin(by) && isInstallationAdmin(target))
      return fail('forbidden', 'an installation administrator is changed by another');
    const others = target.agencies.filter((m) => m.agency !== agency);
    const agencies = role === undefined ? others : [...others, { agency, role }];
    const refused = this.refusedMemberships(
      agencies.filter((m) => m.agency === agency),
      by,
    );
    if (refused) return refused;
    if (!isInstallationAdmin(target) && agencies.length === 0)
      return fail('bad-agencies', 'a staff member serves at least one agency: disable the account instead');
    return this.update(target.login, () => true, { agencies });
  }

  async disable(login: string, by?: StaffMember): Promise<StaffResult> {
    const result = await this.update(login, (target) => managesAccount(by, target), { disabledAt: this.now() });
    if (result.ok) {
      await this.repo.deleteSessionsOf(result.value.id);
      // Offline everywhere: the sweep gives their conversations back to the queue.
      await this.repo.setPresence(result.value.id, EVERY_AGENCY, 'offline', this.now());
    }
    return result;
  }

  enable(login: string, by?: StaffMember): Promise<StaffResult> {
    return this.update(login, (target) => managesAccount(by, target), { disabledAt: null });
  }

  async resetPassword(login: string, password: string, by?: StaffMember): Promise<StaffResult> {
    const problem = passwordProblem(password);
    if (problem) return fail('bad-password', `password: ${problem}`);
    const result = await this.update(login, (target) => managesAccount(by, target), { passwordHash: await hashPassword(password) });
    // Whoever knew the old password is logged out everywhere.
    if (result.ok) await this.repo.deleteSessionsOf(result.value.id);
    return result;
  }

  async remove(login: string, by?: StaffMember): Promise<StaffResult<{ login: string }>> {
    const member = await this.repo.staffByLogin(login.trim().toLowerCase());
    if (!member) return fail('not-found', `no staff member with login ${login}`);
    if (!managesAccount(by, member)) return fail('forbidden', `${member.login} serves an agency you do not administer`);
    const result = await this.repo.removeStaff(member.id);
    if (result === 'in-use') return fail('in-use', `${member.login} has closed cases on record: disable the account instead`);
    if (result === 'not-found') return fail('not-found', `no staff member with login ${login}`);
    this.options.changed?.();
    return { ok: true, value: { login: member.login } };
  }

  /** The enabled member with this login and password; the same time is spent when the login is unknown. */
  async authenticate(login: string, password: string): Promise<StaffMember | undefined> {
    const member = await this.repo.staffByLogin(login.trim().toLowerCase());
    const ok = await verifyPassword(password, member?.passwordHash ?? (await dummyPasswordHash()));
    return ok && member && !member.disabledAt ? member : undefined;
  }

  /** Why the actor may not grant these memberships, if they may not. */
  private refusedMemberships(memberships: readonly AgencyMembership[], by: StaffMember | undefined): StaffResult | undefined {
    const known = this.options.knownAgencies?.();
    const seen = new Set<string>();
    for (const m of memberships) {
      if (!agencyId.safeParse(m.agency).success || seen.has(m.agency) || !isAgencyRole(m.role)) {
        return fail('bad-agencies', `agencies are folder names under knowledge/agencies, each once, with the role ${AGENCY_ROLES.join(', ')}`);
      }
      seen.add(m.agency);
      if (known !== undefined && !known.includes(m.agency)) return fail('bad-agencies', `the installation serves no agency ${m.agency}`);
      if (by !== undefined && !administers(by, m.agency)) return fail('forbidden', `you do not administer ${m.agency}`);
    }
    return undefined;
  }

  /** Changes an account the asker `may` change. */
  private async update(login: string, may: (target: StaffMember) => boolean, patch: Parameters<HandoverRepository['updateStaff']>[1]): Promise<StaffResult> {
    const member = await this.repo.staffByLogin(login.trim().toLowerCase());
    if (!member) return fail('not-found', `no staff member with login ${login}`);
    if (!may(member)) return fail('forbidden', `${member.login} serves an agency you do not administer`);
    await this.repo.updateStaff(member.id, patch);
    this.options.changed?.();
    return { ok: true, value: (await this.repo.staffById(member.id)) ?? member };
  }
}

function fail(code: Extract<StaffResult, { ok: false }>['code'], message: string): { ok: false; code: typeof code; message: string } {
  return { ok: false, code, message };
}
