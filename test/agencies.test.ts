// One installation, many agencies: every folder under knowledge/agencies/ is served from its own
// files; a folder that fails validation is refused while the others serve; folders that appear,
// change or go are followed while running; each turn answers from its own agency's knowledge.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgencyRegistry, type AgencyChange } from '../bot/agencies.js';
import { createApp, type App } from '../bot/app.js';
import { testConfig } from '../bot/config.js';
import { createLogger } from '../bot/log.js';
import { setTurnAgency } from '../bot/turn-agency.js';
import { KnowledgeLoadError } from '../knowledge/source.js';
import { FIXTURE_KNOWLEDGE } from './support/bot.js';

const today = new Date('2026-11-15T10:00:00Z');
const silent = createLogger('silent');

let dir: string | undefined;
let registry: AgencyRegistry | undefined;
let app: App | undefined;

afterEach(async () => {
  registry?.close();
  registry = undefined;
  await app?.close();
  app = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A writable copy of the fixture knowledge (library and archive), optionally with the broken agency. */
function knowledgeCopy(withBroken = false): string {
  dir = mkdtempSync(path.join(tmpdir(), 'padoms-agencies-'));
  cpSync(FIXTURE_KNOWLEDGE, dir, { recursive: true });
  if (withBroken) cpSync('test/fixtures/broken-knowledge/agencies/broken', path.join(dir, 'agencies/broken'), { recursive: true });
  return dir;
}

function errorLog() {
  const error = vi.fn();
  const log = { ...silent, error, warn: vi.fn(), info: vi.fn(), child: () => log } as unknown as typeof silent;
  return { log, error };
}

describe('the agencies an installation serves', () => {
  it('serves every folder under agencies/, each from its own files', () => {
    registry = new AgencyRegistry({ knowledgeDir: FIXTURE_KNOWLEDGE, defaultId: 'library', now: () => today, log: silent });
    expect(registry.ids()).toEqual(['archive', 'library']);
    expect(registry.profile('archive')?.name.lv).toBe('Pilsētas arhīvs');
    expect(registry.knowledge('archive')?.entries.has('archive.certificate')).toBe(true);
    expect(registry.knowledge('library')?.entries.has('archive.certificate')).toBe(false);
    expect(registry.defaultId).toBe('library');
  });

  it('serves only the folders AGENCIES lists, and names a listed one that has no folder', () => {
    registry = new AgencyRegistry({ knowledgeDir: FIXTURE_KNOWLEDGE, defaultId: 'archive', only: ['archive', 'museum'], now: () => today, log: silent });
    expect(registry.ids()).toEqual(['archive']);
    expect(registry.refused.get('museum')?.join('\n')).toMatch(/no agency folder "museum"/);
  });

  it('refuses a folder that fails validation, listing its problems, while the others serve', () => {
    const { log, error } = errorLog();
    registry = new AgencyRegistry({ knowledgeDir: knowledgeCopy(true), defaultId: 'library', now: () => today, log });
    expect(registry.ids()).toEqual(['archive', 'library']);
    expect(registry.has('broken')).toBe(false);
    const problems = registry.refused.get('broken') ?? [];
    expect(problems.length).toBeGreaterThan(1);
    expect(problems.join('\n')).toMatch(/agencies\/broken\//);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ agency: 'broken', problems }), expect.stringMatching(/refused/));
  });

  it('will not start when no agency can be served', () => {
    expect(() => new AgencyRegistry({ knowledgeDir: 'test/fixtures/broken-knowledge', defaultId: 'broken', now: () => today, log: silent })).toThrow(
      KnowledgeLoadError,
    );
  });

  it('keeps the configured default when it is not served: no other agency answers in its name', () => {
    registry = new AgencyRegistry({ knowledgeDir: FIXTURE_KNOWLEDGE, defaultId: 'dvi', now: () => today, log: silent });
    expect(registry.defaultId).toBe('dvi');
    expect(registry.has('dvi')).toBe(false);
  });

  it('refuses a copied folder whose profile keeps the old id: the folder is the agency everywhere', () => {
    const root = knowledgeCopy();
    cpSync(path.join(root, 'agencies/library'), path.join(root, 'agencies/library-test'), { recursive: true });
    registry = new AgencyRegistry({ knowledgeDir: root, defaultId: 'library', now: () => today, log: silent });
    expect(registry.has('library-test')).toBe(false);
    expect(registry.refused.get('library-test')?.join('\n')).toMatch(/id must equal the folder name "library-test"/);
  });

  it('follows the folders while running: an edit reloads its agency, an invalid edit keeps the last, a new folder is taken in, a removed one stops', async () => {
    const root = knowledgeCopy();
    const { log, error } = errorLog();
    registry = new AgencyRegistry({ knowledgeDir: root, defaultId: 'library', now: () => today, log });
    const changes: AgencyChange[] = [];
    registry.onChange((c) => changes.push(c));
    registry.watch(50);

    const file = path.join(root, 'agencies/archive/entries/archive.copies.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('viena lapa maksā 0,50 eiro', 'viena lapa maksā 0,70 eiro'));
    await vi.waitFor(() => expect(registry!.knowledge('archive')?.entries.get('archive.copies')?.answer.lv).toMatch(/0,70 eiro/), { timeout: 5000 });
    expect(registry.knowledge('library')?.entries.has('library.card')).toBe(true);

    writeFileSync(file, original.replace('owner: Lasītava', 'owner: ""'));
    await vi.waitFor(() => expect(error).toHaveBeenCalled(), { timeout: 5000 });
    expect(JSON.stringify(error.mock.calls[0])).toMatch(/archive\.copies › owner/);
    expect(registry.knowledge('archive')?.entries.get('archive.copies')?.answer.lv).toMatch(/0,70 eiro/);

    cpSync(path.join(root, 'agencies/library'), path.join(root, 'agencies/branch'), { recursive: true });
    const profile = path.join(root, 'agencies/branch/profile.yaml');
    writeFileSync(profile, readFileSync(profile, 'utf8').replace('id: library', 'id: branch'));
    await vi.waitFor(() => expect(registry!.has('branch')).toBe(true), { timeout: 5000 });

    rmSync(path.join(root, 'agencies/archive'), { recursive: true });
    await vi.waitFor(() => expect(registry!.has('archive')).toBe(false), { timeout: 5000 });
    expect(registry.ids()).toEqual(['branch', 'library']);
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'reloaded', id: 'archive' },
        { kind: 'added', id: 'branch' },
        { kind: 'removed', id: 'archive' },
      ]),
    );
  });
});

describe('a turn speaks for the agency its channel marked', () => {
  async function say(text: string, agency?: string): Promise<string> {
    const sent: Partial<Activity>[] = [];
    const adapter = new TestAdapter(app!.logic);
    adapter.use(async (context, next) => {
      if (agency !== undefined) setTurnAgency(context, agency);
      context.onSendActivities(async (_ctx, activities, nextSend) => {
        sent.push(...activities);
        return nextSend();
      });
      await next();
    });
    await adapter.send(text);
    return sent.map((a) => a.text ?? '').join('\n');
  }

  it("answers from that agency's knowledge, the default agency's when unmarked, and not at all for one not served", async () => {
    app = createApp(testConfig({ KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE, AGENCY: 'library', AGENCIES: 'library,archive' }), { storage: 'memory' });
    const archive = app.agencies.knowledge('archive')!.entries.get('archive.certificate')!.answer.lv;
    const library = app.agencies.knowledge('library')!.entries.get('library.card')!.answer.lv;

    expect(await say('Kā saņemt arhīva izziņu?', 'archive')).toContain(archive.trim().slice(0, 40));
    expect(await say('Kā saņemt lasītāja karti?')).toContain(library.trim().slice(0, 40));
    expect(await say('Kā saņemt lasītāja karti?', 'archive')).not.toContain(library.trim().slice(0, 40));
    expect(await say('Kā saņemt lasītāja karti?', 'museum')).toBe('');
  });
});
