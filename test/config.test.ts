// Configuration: conventional variable names, defaults, and a start that stops on a bad value.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../bot/config.js';

describe('loadConfig', () => {
  it('has working defaults for a fresh machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3978, AGENCY: 'dvi', DATA_DIR: './data', MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' });
  });

  it('names every bad value at once and hides secrets', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', AGENCY: '../etc', DIRECTLINE_TOKEN_SECRET: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT="eighty"/);
    expect(problems).toMatch(/AGENCY="\.\.\/etc"/);
    expect(problems).toMatch(/DIRECTLINE_TOKEN_SECRET=\(hidden\)/);
    expect(problems).not.toContain('short');
  });

  it('requires a tenant for a single-tenant Azure bot', () => {
    expect(() => loadConfig({ MicrosoftAppType: 'SingleTenant' })).toThrow(/MicrosoftAppTenantId/);
  });
});

describe('the entry point', () => {
  it('exits non-zero with a message naming the bad variable', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env: { ...process.env, PORT: '99999' }, stdio: 'pipe', timeout: 30_000 });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/PORT="99999"/);
  });

  it('refuses to start on an invalid knowledge base, listing the problems', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
        env: { ...process.env, KNOWLEDGE_DIR: 'test/fixtures/broken-knowledge', AGENCY: 'broken', PORT: '0' },
        stdio: 'pipe',
        timeout: 30_000,
      });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/Knowledge base is invalid/);
    expect(stderr).toMatch(/broken\.dup/);
  });
});
