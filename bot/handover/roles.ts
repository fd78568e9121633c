// Who may do what when one installation serves many agencies. An installation administrator
// (account role `admin`) serves every agency and manages every account; an agency administrator
// (role `admin` in an agency) manages the staff of the agencies they administer and nothing else;
// staff serve the agencies they are members of. Pure, so the console's routes, the report page and
// the staff directory apply one set of rules.
import type { AgencyMembership, StaffMember } from './repository.js';

type Member = Pick<StaffMember, 'role' | 'agencies'>;

export const isInstallationAdmin = (member: Pick<StaffMember, 'role'>): boolean => member.role === 'admin';

/** The member takes the agency's conversations and cases, reads its transcripts and reports. */
export function serves(member: Member, agency: string): boolean {
  return isInstallationAdmin(member) || member.agencies.some((m) => m.agency === agency);
}

/** The member manages the agency's staff (and sees all its conversations, as a supervisor). */
export function administers(member: Member, agency: string): boolean {
  return isInstallationAdmin(member) || member.agencies.some((m) => m.agency === agency && m.role === 'admin');
}

/**
 * Knowledge roles in an agency, each including the ones before it: staff answer citizens, an
 * editor also changes the studio's drafts, a publisher also publishes them, an administrator all.
 */
const KNOWLEDGE_RANK: Readonly<Record<string, number>> = { staff: 0, editor: 1, publisher: 2, admin: 3 };

function rankIn(member: Member, agency: string): number {
  if (isInstallationAdmin(member)) return KNOWLEDGE_RANK['admin']!;
  const membership = member.agencies.find((m) => m.agency === agency);
  return membership === undefined ? -1 : (KNOWLEDGE_RANK[membership.role] ?? 0);
}

/** The member may change the agency's knowledge drafts (the studio's editor, import and inbox). */
export const editsKnowledge = (member: Member, agency: string): boolean => rankIn(member, agency) >= KNOWLEDGE_RANK['editor']!;

/** The member may publish the agency's drafts and roll its entries back. */
export const publishesKnowledge = (member: Member, agency: string): boolean => rankIn(member, agency) >= KNOWLEDGE_RANK['publisher']!;

/** The agencies, of those the installation serves now, the member serves (in the installation's order). */
export function agenciesServed(member: Member, known: readonly string[]): string[] {
  return known.filter((agency) => serves(member, agency));
}

/** The member's role as the console shows it for one agency. */
export function roleIn(member: Member, agency: string): 'installation-admin' | AgencyMembership['role'] | undefined {
  if (isInstallationAdmin(member)) return 'installation-admin';
  return member.agencies.find((m) => m.agency === agency)?.role;
}

/** The agencies the member may grant memberships of (undefined: any, the installation's administrator or operator). */
export function grantable(actor: Member | undefined): ((agency: string) => boolean) | undefined {
  if (actor === undefined || isInstallationAdmin(actor)) return undefined;
  return (agency) => administers(actor, agency);
}

/**
 * The actor may act on the whole account (disable, enable, reset its password, remove, rename):
 * the installation's administrator always; an agency administrator only for an account that is no
 * installation administrator and serves no agency they do not administer (else they would lock
 * the member out of another agency's work).
 */
export function managesAccount(actor: Member | undefined, target: Member): boolean {
  if (actor === undefined || isInstallationAdmin(actor)) return true;
  if (isInstallationAdmin(target)) return false;
  return target.agencies.length > 0 && target.agencies.every((m) => administers(actor, m.agency));
}
