// Licences and releases (issue 23): the real app serves the third-party notices and Padoms' own
// licence at the URLs its pages link to and reports package.json's version at /healthz, the licence
// check fails on an incompatible or unknown licence with the package named, and the SBOM check knows
// a CycloneDX BOM from a broken one.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LICENCE_PATH, NOTICES_PATH } from '../bot/web/about.js';
import { checkLicences, POLICY, type LicencePolicy } from '../scripts/check-licences.js';
import { sbomProblems } from '../scripts/check-sbom.js';
import { startApp, type RunningApp } from './support/app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; license: string; dependencies: Record<string, string> };

describe('served licences and version (the real app on loopback)', () => {
  let site: RunningApp;
  beforeAll(async () => {
    site = await startApp();
  });
  afterAll(async () => site?.stop());

  it('serves the third-party notices: Web Chat, eld and dictionary-lv with their licences, as plain text under the strict default CSP', async () => {
    const res = await fetch(`${site.origin}${NOTICES_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await res.text();
    expect(text).toContain(`THIRD-PARTY NOTICES: Padoms ${pkg.version}`);
    expect(text).toContain(`botframework-webchat ${pkg.dependencies['botframework-webchat']}: MIT (in the Web Chat bundle)`);
    expect(text).toContain('3. Web Chat, served at /webchat/webchat.js');
    expect(text).toContain(`eld ${pkg.dependencies['eld']}: Apache-2.0`);
    expect(text).toContain('bot/language/eld-subset/ngrams.ts: language-detection data derived from eld');
    expect(text).toContain(`dictionary-lv ${pkg.dependencies['dictionary-lv']}: LGPL-2.1-or-later (index.aff, index.dic) AND MIT`);
    expect(text).toContain('GNU LESSER GENERAL PUBLIC LICENSE');
    expect(text).toContain('Version 2.1, February 1999');
    expect(text).toContain('Janis Eisaks'); // the dictionary's own notice, as the package has it
    expect(text).toContain('Apache License');
  });

  it('sends the notices compressed, with a validator, and answers a revalidation with 304', async () => {
    const first = await fetch(`${site.origin}${NOTICES_PATH}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const again = await fetch(`${site.origin}${NOTICES_PATH}`, { headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it("serves Web Chat's own licence comments where the bundle's first line points", async () => {
    const bundle = await fetch(`${site.origin}/webchat/webchat.js`);
    expect((await bundle.text()).split('\n', 1)[0]).toContain('webchat.js.LICENSE.txt');
    const res = await fetch(`${site.origin}/webchat/webchat.js.LICENSE.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toContain('Copyright (c) Facebook, Inc. and its affiliates.');
  });

  it("serves Padoms' own licence, the EUPL-1.2", async () => {
    const res = await fetch(`${site.origin}${LICENCE_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await res.text()).trimStart()).toMatch(/^EUROPEAN UNION PUBLIC LICENCE v\. 1\.2/);
    expect(pkg.license).toBe('EUPL-1.2');
  });

  it.each(['/', '/dvi/'])('the page %s links the licence and the notices, and keeps its strict CSP', async (page) => {
    const res = await fetch(`${site.origin}${page}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`href="${NOTICES_PATH}"`);
    expect(html).toContain(`href="${LICENCE_PATH}"`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it("/healthz reports package.json's version", async () => {
    const res = await fetch(`${site.origin}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: pkg.version });
  });
});

describe('the licence check (licensee on an installed tree)', () => {
  let dir: string;
  const install = (name: string, fields: Record<string, unknown>) => {
    mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...fields }));
  };
  const project = (deps: string[], lockOnly: string[] = []) => {
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'fixture', version: '1.0.0', license: 'EUPL-1.2', dependencies: Object.fromEntries(deps.map((d) => [d, '1.0.0'])) }),
    );
    const packages: Record<string, unknown> = { '': { name: 'fixture', version: '1.0.0' } };
    for (const d of [...deps, ...lockOnly]) packages[`node_modules/${d}`] = { version: '1.0.0' };
    writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages }));
  };
  const policy: LicencePolicy = {
    allowed: POLICY.allowed,
    exceptions: [{ name: 'reviewed', version: '1.0.0', declared: 'public domain', licence: 'LicenseRef-public-domain', evidence: 'a test', why: 'a test' }],
    contained: [],
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'padoms-licences-'));
    cpSync(path.join(root, 'LICENSE'), path.join(dir, 'LICENSE'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes allowed licences and expressions, fails a copyleft AND, a missing licence and a changed exception, naming each package', async () => {
    install('permissive', { license: 'Apache-2.0' });
    install('either', { license: 'MIT OR GPL-3.0-only' });
    install('both', { license: '(MIT AND GPL-3.0-only)' });
    install('none', {});
    install('reviewed', { license: 'CC-BY-NC-4.0' });
    project(['permissive', 'either', 'both', 'none', 'reviewed']);
    const { checked, problems } = await checkLicences(dir, policy);
    expect(checked).toBe(5);
    expect(problems.map((p) => p.package).sort()).toEqual(['both@1.0.0', 'none@1.0.0', 'reviewed@1.0.0']);
    expect(problems.find((p) => p.package === 'both@1.0.0')?.problem).toMatch(/"\(MIT AND GPL-3\.0-only\)" is not allowed/);
    expect(problems.find((p) => p.package === 'none@1.0.0')?.problem).toMatch(/licence none is not allowed/);
    expect(problems.find((p) => p.package === 'reviewed@1.0.0')?.problem).toMatch(/declared licence is now "CC-BY-NC-4\.0"/);
  });

  it('fails a package of the lock file that is not installed, and an exception for a package no longer there', async () => {
    rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
    install('permissive', { license: 'MIT' });
    project(['permissive'], ['missing']);
    const { problems } = await checkLicences(dir, policy);
    expect(problems).toEqual([
      { package: 'reviewed@1.0.0', problem: expect.stringMatching(/no longer installed/) },
      { package: 'missing@1.0.0', problem: expect.stringMatching(/not installed .*run npm ci/) },
    ]);
  });

  it("fails when the project's own licence is not the EUPL-1.2", async () => {
    rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
    install('permissive', { license: 'MIT' });
    project(['permissive']);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture', version: '1.0.0', license: 'MIT', dependencies: { permissive: '1.0.0' } }));
    const { problems } = await checkLicences(dir, { ...policy, exceptions: [] });
    expect(problems).toEqual([{ package: 'padoms', problem: `package.json's license is "MIT", not EUPL-1.2` }]);
  });
});

describe('the SBOM check', () => {
  const expected = { name: 'padoms', version: '1.2.3', packages: ['eld'] };
  const bom = (components: unknown[]) =>
    JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { name: 'padoms', version: '1.2.3' } }, components });

  it('accepts a CycloneDX BOM with the expected components, nested ones counted', () => {
    const text = bom([
      { name: 'eld', version: '2.1.0', licenses: [{ license: { id: 'Apache-2.0' } }], components: [{ name: 'x', version: '1', licenses: [{}] }] },
    ]);
    expect(sbomProblems(text, expected)).toEqual({ problems: [], components: 2 });
  });

  it('names what is wrong: not JSON, no components, a missing package', () => {
    expect(sbomProblems('{"bomFormat":', expected).problems[0]).toMatch(/^not JSON/);
    expect(sbomProblems(bom([]), expected).problems).toEqual(['no components', 'eld is not among its components']);
  });
});
