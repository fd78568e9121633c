// The languages each agency's staff speak, the foreign languages the bot offers for that agency
// (R3). Read from the accounts and their memberships when they change (and on the sweep's timer,
// for changes made by the CLI), kept in memory: the dialog side asks on every turn, synchronously.
import { LANGUAGE_CODES, type LanguageCode } from '../../knowledge/schema.js';
import type { HandoverRepository, StaffMember } from './repository.js';

export class StaffRoster {
  private byAgency: ReadonlyMap<string, LanguageCode[]> | undefined;

  constructor(private readonly repo: Pick<HandoverRepository, 'listStaff'>) {}

  /**
   * Languages the agency's enabled members speak, Latvian first; undefined while the agency has no
   * staff accounts of its own (the profile's staffLanguages stand then). An installation
   * administrator without a membership is nobody's consultant, and does not count.
   */
  languagesOf(agency: string): LanguageCode[] | undefined {
    return this.byAgency?.get(agency);
  }

  async refresh(): Promise<void> {
    this.byAgency = languagesByAgency(await this.repo.listStaff());
  }
}

export function languagesByAgency(staff: readonly StaffMember[]): Map<string, LanguageCode[]> {
  const spoken = new Map<string, Set<LanguageCode>>();
  for (const member of staff) {
    for (const { agency } of member.agencies) {
      const set = spoken.get(agency) ?? new Set<LanguageCode>();
      spoken.set(agency, set);
      if (!member.disabledAt) for (const l of member.languages) set.add(l);
    }
  }
  return new Map([...spoken].map(([agency, set]) => [agency, LANGUAGE_CODES.filter((l) => l === 'lv' || set.has(l))]));
}
