// Staff accounts: the password KDF (scrypt, per-user salt, constant-time check), and the
// `npm run staff` CLI in-process and as a real process on a SQLite database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runStaffCli, parseArgs } from '../bot/cli/staff.js';
import { hashPassword, passwordProblem, verifyPassword } from '../bot/handover/passwords.js';
import { MemoryHandoverRepository } from '../bot/handover/repository.js';
import { SqlHandoverRepository, sqliteRunner } from '../bot/handover/sql-repository.js';
import { StaffDirectory, parseLanguages } from '../bot/handover/staff.js';
import { openDatabase } from '../bot/storage/sqlite.js';

const run = promisify(execFile);

describe('passwords', () => {
  it('are hashed with scrypt N=2^15, r=8, p=1 and a per-user salt', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('a malformed or weakened hash never matches', async () => {
    const good = await hashPassword('correct horse battery');
    const [, , r, p, salt, key] = good.split('$');
    expect(await verifyPassword('correct horse battery', `scrypt$10$${r}$${p}$${salt}$${key}`)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain')).toBe(false);
    expect(await verifyPassword('correct horse battery', `scrypt$15$8$1$${salt}$short`)).toBe(false);
  });

  it('must be long enough, not one character repeated', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/repeated/);
    expect(passwordProblem('x'.repeat(300))).toMatch(/at most/);
    expect(passwordProblem('correct horse battery')).toBeUndefined();
  });
});

describe('the staff directory', () => {
  it('normalises logins and languages, refuses duplicates, and authenticates only enabled members', async () => {
    const directory = new StaffDirectory(new MemoryHandoverRepository(), { defaultAgency: 'dvi' });
    const added = await directory.add({ name: 'Anna Bērziņa', login: 'Anna', languages: ['en', 'lv', 'en'], role: 'staff', password: 'correct horse battery' });
    expect(added).toMatchObject({ ok: true, value: { login: 'anna', languages: ['lv', 'en'] } });
    expect(await directory.add({ name: 'Other', login: 'anna', languages: ['lv'], role: 'staff', password: 'correct horse battery' })).toMatchObject({
      ok: false,
      code: 'login-taken',
    });
    expect(await directory.add({ name: 'X', login: 'x y', languages: ['lv'], role: 'staff', password: 'correct horse battery' })).toMatchObject({
      ok: false,
      code: 'bad-login',
    });
    expect(await directory.add({ name: 'X', login: 'xy', languages: ['xx'], role: 'staff', password: 'correct horse battery' })).toMatchObject({
      ok: false,
      code: 'bad-languages',
    });
    expect((await directory.authenticate('ANNA', 'correct horse battery'))?.login).toBe('anna');
    expect(await directory.authenticate('anna', 'wrong')).toBeUndefined();
    expect(await directory.authenticate('nobody', 'correct horse battery')).toBeUndefined();
    await directory.disable('anna');
    expect(await directory.authenticate('anna', 'correct horse battery')).toBeUndefined();
    await directory.enable('anna');
    expect(await directory.authenticate('anna', 'correct horse battery')).toBeDefined();
    expect(parseLanguages(['ru', 'lv'])).toEqual(['lv', 'ru']);
  });
});

describe('npm run staff (in-process)', () => {
  const io = (passwords: string[] = []) => {
    const out: string[] = [];
    const err: string[] = [];
    const repo = new MemoryHandoverRepository();
    return {
      out,
      err,
      repo,
      io: {
        out: (l: string) => void out.push(l),
        err: (l: string) => void err.push(l),
        readPassword: async () => {
          const next = passwords.shift();
          if (next === undefined) throw new Error('no password given');
          return next;
        },
        repo,
      },
    };
  };

  it('parses the documented arguments', () => {
    expect(parseArgs(['add', '--name', 'Anna Bērziņa', '--login', 'anna', '--languages', 'lv,en', '--role', 'staff', '--password-stdin'])).toEqual({
      command: 'add',
      positional: [],
      options: new Map<string, string | true>([
        ['name', 'Anna Bērziņa'],
        ['login', 'anna'],
        ['languages', 'lv,en'],
        ['role', 'staff'],
        ['password-stdin', true],
      ]),
    });
    expect(parseArgs(['disable', 'anna'])).toMatchObject({ command: 'disable', positional: ['anna'] });
  });

  it('add, list, set-languages, disable, enable, reset-password, remove', async () => {
    const t = io(['correct horse battery', 'another long passphrase']);
    const env = {};
    expect(await runStaffCli(env, ['add', '--name', 'Anna Bērziņa', '--login', 'anna', '--languages', 'lv,en', '--role', 'staff'], t.io)).toBe(0);
    expect(t.out.pop()).toBe('added anna');
    expect(await runStaffCli(env, ['list'], t.io)).toBe(0);
    expect(t.out.pop()).toMatch(/^anna\s+Anna Bērziņa\s+staff\s+lv,en\s+dvi\s+active$/);
    expect(await runStaffCli(env, ['set-languages', 'anna', '--languages', 'lv,ru'], t.io)).toBe(0);
    expect(t.out.pop()).toBe('anna: lv,ru');
    expect(await runStaffCli(env, ['disable', 'anna'], t.io)).toBe(0);
    expect(await runStaffCli(env, ['list', '--json'], t.io)).toBe(0);
    const listed = JSON.parse(t.out.pop()!) as { login: string; disabledAt?: string; passwordHash?: string }[];
    expect(listed[0]).toMatchObject({ login: 'anna', disabledAt: expect.any(String) });
    expect(listed[0]?.passwordHash).toBeUndefined();
    expect(await runStaffCli(env, ['enable', 'anna'], t.io)).toBe(0);
    const before = (await t.repo.staffByLogin('anna'))!.passwordHash;
    expect(await runStaffCli(env, ['reset-password', 'anna'], t.io)).toBe(0);
    expect((await t.repo.staffByLogin('anna'))!.passwordHash).not.toBe(before);
    expect(await runStaffCli(env, ['remove', 'anna'], t.io)).toBe(0);
    expect(await t.repo.listStaff()).toEqual([]);
  });

  it('agencies: --agencies with :admin for an agency administrator, set-agencies, list --agency; unknown agencies refused', async () => {
    const t = io(['correct horse battery', 'correct horse battery', 'correct horse battery', 'correct horse battery']);
    const env = { KNOWLEDGE_DIR: 'test/fixtures/knowledge', AGENCY: 'library' };
    const add = (login: string, ...more: string[]) => runStaffCli(env, ['add', '--name', 'Anna Bērziņa', '--login', login, '--languages', 'lv', ...more], t.io);
    expect(await add('anna', '--agencies', 'library,archive:admin')).toBe(0);
    expect((await t.repo.staffByLogin('anna'))?.agencies).toEqual([
      { agency: 'library', role: 'staff' },
      { agency: 'archive', role: 'admin' },
    ]);
    // Without --agencies: the default agency's staff; --role admin: the installation's administrator.
    expect(await add('janis')).toBe(0);
    expect((await t.repo.staffByLogin('janis'))?.agencies).toEqual([{ agency: 'library', role: 'staff' }]);
    expect(await add('root', '--role', 'admin')).toBe(0);
    expect(await runStaffCli(env, ['list'], t.io)).toBe(0);
    expect(t.out.slice(-3)).toEqual([
      expect.stringMatching(/^anna\s.*\slibrary,archive:admin\s+active$/),
      expect.stringMatching(/^janis\s.*\slibrary\s+active$/),
      expect.stringMatching(/^root\s.*\sadmin\s+lv\s+\*\s+active$/),
    ]);
    expect(await runStaffCli(env, ['set-agencies', 'janis', '--agencies', 'archive'], t.io)).toBe(0);
    expect(t.out.pop()).toBe('janis: archive');
    expect(await runStaffCli(env, ['list', '--agency', 'library', '--json'], t.io)).toBe(0);
    expect((JSON.parse(t.out.pop()!) as { login: string }[]).map((s) => s.login)).toEqual(['anna', 'root']);
    expect(await add('eve', '--agencies', 'nowhere')).toBe(1);
    expect(t.err.pop()).toMatch(/no agency nowhere/);
    expect(await add('eve', '--agencies', 'Library!')).toBe(2);
    expect(await add('eve', '--agencies', 'library:owner')).toBe(2);
    // The knowledge roles: an editor changes the studio's drafts, a publisher publishes them.
    expect(await runStaffCli(env, ['set-agencies', 'janis', '--agencies', 'library:editor,archive:publisher'], t.io)).toBe(0);
    expect(t.out.pop()).toBe('janis: library:editor,archive:publisher');
    expect((await t.repo.staffByLogin('janis'))?.agencies).toEqual([
      { agency: 'library', role: 'editor' },
      { agency: 'archive', role: 'publisher' },
    ]);
    expect(await runStaffCli(env, ['set-agencies', 'janis', '--agencies', ''], t.io)).toBe(1);
    expect(t.err.pop()).toMatch(/at least one agency/);
  });

  it('never invents a password, and says what is wrong', async () => {
    const t = io([]);
    expect(await runStaffCli({}, ['add', '--name', 'Anna', '--login', 'anna', '--languages', 'lv'], t.io)).toBe(1);
    expect(t.err.pop()).toMatch(/no password given/);
    expect(await t.repo.listStaff()).toEqual([]);
    const short = io(['short']);
    expect(await runStaffCli({}, ['add', '--name', 'Anna', '--login', 'anna', '--languages', 'lv'], short.io)).toBe(1);
    expect(short.err.pop()).toMatch(/at least 12/);
    expect(await runStaffCli({}, ['add', '--login', 'anna'], t.io)).toBe(2);
    expect(await runStaffCli({}, ['add', '--name', 'A', '--login', 'anna', '--languages', 'lv', '--role', 'boss'], t.io)).toBe(2);
    expect(await runStaffCli({}, ['frobnicate'], t.io)).toBe(2);
    expect(await runStaffCli({}, ['disable', 'ghost'], t.io)).toBe(1);
    expect(await runStaffCli({}, [], t.io)).toBe(2);
  });
});

describe('npm run staff (a real process on SQLite)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'padoms-staff-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[], input?: string) => {
    const child = run('npx', ['tsx', 'bot/cli/staff.ts', ...args], { env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return child;
  };

  it('adds with --password-stdin, lists, and the account can log in', async () => {
    const added = await cli(['add', '--name', 'Anna Bērziņa', '--login', 'anna', '--languages', 'lv,en', '--password-stdin'], 'correct horse battery\n');
    expect(added.stdout.trim()).toBe('added anna');
    const listed = await cli(['list']);
    expect(listed.stdout).toMatch(/anna\s+Anna Bērziņa\s+staff\s+lv,en\s+dvi\s+active/);
    const repo = new SqlHandoverRepository(sqliteRunner(openDatabase(dir)));
    const directory = new StaffDirectory(repo, { defaultAgency: 'dvi' });
    expect((await directory.authenticate('anna', 'correct horse battery'))?.name).toBe('Anna Bērziņa');
    await repo.close();
    await expect(cli(['add', '--name', 'X', '--login', 'anna', '--languages', 'lv', '--password-stdin'], 'another long passphrase\n')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('login anna exists'),
    });
  }, 60_000);
});
