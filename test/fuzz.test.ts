// The fuzz suite (test/fuzz/) on a small budget, so CI runs it: generated bad input to every public
// endpoint and the Direct Line stream of a real bot process on loopback, with no 5xx, no crash, no
// hang, /healthz healthy after, and no stack trace, non-JSON line or request text in the log.
// `npm run fuzz` is the same run with a bigger budget; a failure here prints the same report,
// with each failure's input and the command that replays it.
import { describe, expect, it } from 'vitest';
import { formatReport, runFuzz } from './fuzz/runner.js';

describe('fuzzing the public endpoints', () => {
  it('answers generated bad input without 5xx, crash, hang or a forbidden log line', async () => {
    const report = await runFuzz({
      // Fixed, so CI is reproducible; FUZZ_SEED explores elsewhere.
      seed: Number(process.env['FUZZ_SEED'] ?? 20261116),
      runs: 300,
      seconds: 14,
      timeoutMs: 4_000,
      shrinkSteps: 12,
      shrinkSeconds: 6,
      crashesPerGroup: 1,
    });
    expect(
      report.failures.map((f) => `[${f.kind}] ${f.signature}`),
      formatReport(report),
    ).toEqual([]);
    expect(report.groups.reduce((sum, g) => sum + g.requests, 0)).toBeGreaterThan(300);
  }, 90_000);
});
