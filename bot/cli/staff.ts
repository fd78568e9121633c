// `npm run staff -- <command>`: staff accounts for the handover console, run by the installation's
// operator (who may do anything an installation administrator may).
//   add --name "Anna Bērziņa" --login anna --languages lv,en [--agencies library,archive:admin]
//       [--role staff|admin] [--password-stdin]
//   list [--json] [--agency <id>] · set-languages <login> --languages lv,ru
//   set-agencies <login> --agencies library:admin,archive · disable <login> · enable <login>
//   reset-password <login> [--password-stdin] · remove <login>
// --agencies lists the agencies a member serves (folder names under knowledge/agencies/), each as
// staff or with a role after a colon: `:editor` (also edits the knowledge studio's drafts),
// `:publisher` (also publishes them), `:admin` (the agency's administrator, manages its staff); left
// out, a staff member serves the default agency (AGENCY). --role admin makes an installation
// administrator: every agency, every account. Passwords are typed at a hidden prompt (twice) or
// read from standard input; there is no default. A running bot picks changes up within its sweep
// interval (15 s).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { storageKindFor } from '../storage/open.js';
import { openHandoverRepository } from '../handover/index.js';
import type { HandoverRepository, StaffMember } from '../handover/repository.js';
import { StaffDirectory, parseMemberships, type StaffResult } from '../handover/staff.js';
import { PASSWORD_MIN } from '../handover/passwords.js';

export interface StaffCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Reads a password: at a hidden prompt (twice, must match), or all of standard input. */
  readPassword: (fromStdin: boolean) => Promise<string>;
  /** Tests: a repository of their own instead of the configured database. */
  repo?: HandoverRepository;
}

const USAGE = `usage: npm run staff -- <command>
  add --name "Anna Bērziņa" --login anna --languages lv,en [--agencies library,archive:admin,museum:editor] [--role staff|admin] [--password-stdin]
  list [--json] [--agency <id>]
  set-languages <login> --languages lv,ru
  set-agencies <login> --agencies library:admin,archive
  disable <login>
  enable <login>
  reset-password <login> [--password-stdin]
  remove <login>`;

interface Parsed {
  command: string | undefined;
  positional: string[];
  options: Map<string, string | true>;
}

export function parseArgs(args: readonly string[]): Parsed {
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const next = args[i + 1];
      if (inline !== undefined) options.set(name, inline);
      else if (next !== undefined && !next.startsWith('--') && !['password-stdin', 'json'].includes(name)) options.set(name, (i++, next));
      else options.set(name, true);
    } else positional.push(arg);
  }
  return { command: positional.shift(), positional, options };
}

/** Returns the exit code. */
export async function runStaffCli(env: Record<string, string | undefined>, args: readonly string[], io: StaffCliIo): Promise<number> {
  const { command, positional, options } = parseArgs(args);
  if (command === undefined || command === 'help' || options.has('help')) {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  let repo = io.repo;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...env, KNOWLEDGE_HOT_RELOAD: 'false' });
    repo ??= openHandoverRepository({ kind: storageKindFor(config) }, config, createLogger(config.LOG_LEVEL, 2));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  // Accounts from before agencies serve the default agency: as the bot does at start, so that what
  // the operator reads and changes here is what the console will see.
  await repo.adoptAgencyless(config.AGENCY);
  const knownAgencies = servedAgencies(config);
  const directory = new StaffDirectory(repo, { defaultAgency: config.AGENCY, knownAgencies: () => knownAgencies });
  const text = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const loginArg = () => positional[0] ?? text('login');
  const report = (result: StaffResult<StaffMember | { login: string }>, done: (value: StaffMember | { login: string }) => string): number => {
    if (!result.ok) {
      io.err(`error: ${result.message}`);
      return 1;
    }
    io.out(done(result.value));
    return 0;
  };
  const needLogin = (): string | undefined => {
    const login = loginArg();
    if (login === undefined) io.err(`error: which login? (${command} <login>)`);
    return login;
  };
  const password = async (): Promise<string | undefined> => {
    try {
      return await io.readPassword(options.has('password-stdin'));
    } catch (err) {
      io.err(`error: ${(err as Error).message}`);
      return undefined;
    }
  };

  try {
    switch (command) {
      case 'add': {
        const [name, login, languages] = [text('name'), text('login') ?? positional[0], text('languages')];
        const role = text('role') ?? 'staff';
        const agencies = text('agencies') === undefined ? undefined : parseMemberships(text('agencies') ?? '');
        if (agencies === undefined && options.has('agencies')) {
          io.err('error: --agencies is a list of agency folder names, each with a role after a colon: :editor, :publisher or :admin (library,archive:admin)');
          return 2;
        }
        if (name === undefined || login === undefined || languages === undefined) {
          io.err('error: add needs --name, --login and --languages');
          return 2;
        }
        if (role !== 'staff' && role !== 'admin') {
          io.err('error: --role is staff or admin');
          return 2;
        }
        const pw = await password();
        if (pw === undefined) return 1;
        return report(
          await directory.add({ name, login, languages: languages.split(','), role, password: pw, ...(agencies ? { agencies } : {}) }),
          (m) => `added ${m.login}`,
        );
      }
      case 'list': {
        const agency = text('agency');
        const staff = (await directory.list()).filter((s) => agency === undefined || s.role === 'admin' || s.agencies.some((m) => m.agency === agency));
        if (options.has('json')) {
          io.out(JSON.stringify(staff.map(({ passwordHash: _h, ...rest }) => rest)));
          return 0;
        }
        if (staff.length === 0) io.out("No staff accounts. The bot offers the profile's staffLanguages until there are.");
        for (const s of staff)
          io.out(
            `${s.login.padEnd(16)} ${s.name.padEnd(28)} ${s.role.padEnd(6)} ${s.languages.join(',').padEnd(12)} ${agenciesText(s).padEnd(24)} ${s.disabledAt ? `disabled ${s.disabledAt.toISOString().slice(0, 10)}` : 'active'}`,
          );
        return 0;
      }
      case 'set-languages': {
        const login = needLogin();
        const languages = text('languages');
        if (login === undefined || languages === undefined) {
          if (languages === undefined) io.err('error: set-languages needs --languages lv,en');
          return 2;
        }
        return report(await directory.setLanguages(login, languages.split(',')), (m) => `${m.login}: ${(m as StaffMember).languages.join(',')}`);
      }
      case 'set-agencies': {
        const login = needLogin();
        const agencies = parseMemberships(text('agencies') ?? '');
        if (login === undefined || agencies === undefined || !options.has('agencies')) {
          if (agencies === undefined || !options.has('agencies')) io.err('error: set-agencies needs --agencies library,archive:admin');
          return 2;
        }
        return report(await directory.setAgencies(login, agencies), (m) => `${m.login}: ${agenciesText(m as StaffMember) || '(none)'}`);
      }
      case 'disable':
      case 'enable': {
        const login = needLogin();
        if (login === undefined) return 2;
        const result = command === 'disable' ? await directory.disable(login) : await directory.enable(login);
        return report(result, (m) => `${command}d ${m.login}`);
      }
      case 'reset-password': {
        const login = needLogin();
        if (login === undefined) return 2;
        if ((await repo.staffByLogin(login.toLowerCase())) === undefined) {
          io.err(`error: no staff member with login ${login}`);
          return 1;
        }
        const pw = await password();
        if (pw === undefined) return 1;
        return report(await directory.resetPassword(login, pw), (m) => `password reset for ${m.login}; their sessions are ended`);
      }
      case 'remove': {
        const login = needLogin();
        if (login === undefined) return 2;
        return report(await directory.remove(login), (m) => `removed ${m.login}`);
      }
      default:
        io.err(`error: unknown command ${command}\n${USAGE}`);
        return 2;
    }
  } finally {
    if (io.repo === undefined) await repo.close();
  }
}

/** `library:admin,archive`; an installation administrator's memberships follow `*` (every agency). */
function agenciesText(s: StaffMember): string {
  const memberships = s.agencies.map((m) => (m.role === 'staff' ? m.agency : `${m.agency}:${m.role}`));
  return (s.role === 'admin' ? ['*', ...memberships] : memberships).join(',');
}

/** The agencies the installation serves: AGENCIES, else every folder under knowledge/agencies/. */
function servedAgencies(config: Pick<ReturnType<typeof loadConfig>, 'AGENCIES' | 'AGENCY' | 'KNOWLEDGE_DIR'>): readonly string[] {
  if (config.AGENCIES !== undefined) return config.AGENCIES;
  const folder = path.join(config.KNOWLEDGE_DIR, 'agencies');
  const found = existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
    : [];
  return found.includes(config.AGENCY) ? found : [config.AGENCY, ...found];
}

/** All of standard input, without the one line ending a shell or `echo` adds. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** A prompt on the terminal that does not echo what is typed. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new Error('no terminal for a password prompt: use --password-stdin');
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new Error('cancelled')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = (then: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdin();
  const first = await promptHidden(`Password (at least ${PASSWORD_MIN} characters): `);
  const second = await promptHidden('Again: ');
  if (first !== second) throw new Error('the passwords differ');
  return first;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runStaffCli(process.env, process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l), readPassword })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}
