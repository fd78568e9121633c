// The part of licensee's API (npm "licensee", CommonJS) that scripts/check-licences.ts uses.
declare module 'licensee' {
  export interface LicenseeConfiguration {
    licenses: { spdx?: string[]; blueOak?: string; osi?: boolean };
    /** name → semver range: approved whatever their licence. */
    packages?: Record<string, string>;
    productionOnly?: boolean;
    corrections?: boolean;
  }
  export interface LicenseeResult {
    name: string;
    version: string;
    license?: unknown;
    approved: boolean;
    /** Approved by `packages`. */
    package?: boolean;
    path: string;
    duplicates?: LicenseeResult[];
  }
  function licensee(configuration: LicenseeConfiguration, path: string, callback: (error: Error | null, results: LicenseeResult[]) => void): void;
  export default licensee;
}
