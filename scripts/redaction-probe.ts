// Redaction probe: the real server on loopback, a fresh DATA_DIR, the whole redaction corpus
// (test/fixtures/redaction) sent as a citizen would, over Direct Line and /api/messages, with codes,
// cards and IBANs in every field a client can fill; then every file under DATA_DIR (the SQLite
// database, -wal, -shm and any other) and the server's stdout and stderr are searched as raw bytes
// for every planted value, as written and with its separators stripped. Exits 1 on any leak.
//
//   npx tsx scripts/redaction-probe.ts [--root DIR] [--no-build] [--tsx] [--every N] [--keep]
//
// --root: another checkout to probe (e.g. `git archive HEAD` unpacked, to compare before a change);
// --no-build: use its dist/ as it is; --tsx: run bot/main.ts through tsx instead of dist/;
// --every N: send every Nth corpus message only (the vitest check sends a sample); --keep: leave
// DATA_DIR in place to look at a leak.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { channelActivity, fakeConnector, spawnBot, type BotProcess } from '../test/support/postgres.js';
import { CORPUS, MASKS, type CorpusMessage, type Planted, type PlantedKind } from '../test/fixtures/redaction/corpus.js';

export interface ProbeOptions {
  /** The checkout to run (its knowledge/ and locales/ are used). */
  root: string;
  /** `dist`: node dist/bot/main.js (build first); `tsx`: node --import tsx bot/main.ts. */
  entry: 'dist' | 'tsx';
  messages?: readonly CorpusMessage[];
  /** Messages per Direct Line conversation. */
  perConversation?: number;
  /** Leave DATA_DIR in place (its path is in the report), to look at a leak. */
  keepDataDir?: boolean;
}

/** Where a planted value was found: a file under DATA_DIR or the log, and what matched. */
export interface Leak {
  where: string;
  kind: PlantedKind;
  form: string;
  written: string;
  match: 'as written' | 'as JSON' | 'separators stripped';
  context: string;
}

export interface ProbeReport {
  messagesSent: number;
  activitiesSent: number;
  fieldsCovered: string[];
  /** Distinct values planted, by kind. */
  planted: Record<PlantedKind, number>;
  /** Times a value was sent in some field (text, other fields, /api/messages, flows). */
  placements: number;
  plantedOutsideText: number;
  filesScanned: { file: string; bytes: number }[];
  logBytes: number;
  leaksInFiles: Leak[];
  leaksInLog: Leak[];
  /** Stored citizen texts (read back over Direct Line) that differ from the corpus's expected text. */
  storedNotAsExpected: { id: string; expected: string; stored: string | undefined }[];
  /** Negatives among those: ordinary numbers that were masked. */
  falsePositives: number;
  /** HTTP status of each deep-nesting send, and whether the server stayed up. */
  deepNesting: { route: string; status: number }[];
  serverExit: number | null;
  /** Set when kept (keepDataDir). */
  dataDir?: string;
}

interface Conversation {
  token: string;
  conversationId: string;
}

interface DlActivity {
  type: string;
  text?: string;
  from: { id: string; role?: string };
  suggestedActions?: { actions: { value?: unknown }[] };
}

/** The most the server logs: a citizen's words reaching any log line would show. */
const LOG_LEVEL = 'trace';

export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const messages = options.messages ?? CORPUS;
  const perConversation = options.perConversation ?? 20;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'padoms-probe-'));
  const connector = await fakeConnector();
  const server = await startServer(options, dataDir);
  const fields = new Set<string>();
  const plantedAll: Planted[] = [];
  let plantedOutsideText = 0;
  let placements = 0;
  let activitiesSent = 0;
  const deepNesting: ProbeReport['deepNesting'] = [];
  const sentTexts: { conversation: Conversation; message: CorpusMessage }[] = [];
  try {
    const dl = directLine(server.origin);
    /** `covered`: the fields holding a planted value (each one a placement). */
    const send = async (c: Conversation, activity: Record<string, unknown>, covered: string[]) => {
      const res = await dl.send(c, activity);
      activitiesSent++;
      placements += covered.length;
      covered.forEach((f) => fields.add(f));
      return res.status;
    };

    // 1. Every message as typed, and for every third one with a value its first value in every other field.
    let conversation = await dl.start();
    for (const [i, message] of messages.entries()) {
      if (i > 0 && i % perConversation === 0) conversation = await dl.start();
      await send(conversation, { type: 'message', text: message.text }, message.planted.length > 0 ? ['text'] : []);
      fields.add('text');
      sentTexts.push({ conversation, message });
      plantedAll.push(...message.planted);
      const p = message.planted[0];
      if (p === undefined || i % 3 !== 0) continue;
      const w = p.around(p.written);
      await send(
        conversation,
        {
          type: 'message',
          text: 'Paldies',
          from: { name: `Jānis ${w}`.slice(0, 100) },
          name: w,
          valueType: w,
          localTimezone: w.slice(0, 64),
          localTimestamp: w.slice(0, 64),
          replyToId: w,
          value: { form: { fields: [{ label: 'kods', input: w }] }, [w]: [[w]] },
          channelData: { clientActivityID: 'probe', nested: { deeper: [{ note: w }] }, [w]: true },
          entities: [{ type: 'ProbeNote', text: w, nested: { list: [w] } }, { type: w }],
        },
        ['from.name', 'name', 'valueType', 'localTimezone', 'localTimestamp', 'replyToId', 'value (nested, keys)', 'channelData (nested, keys)', 'entities'],
      );
      await send(conversation, { type: 'event', name: w, value: { nested: [{ w }] }, channelData: { note: w } }, [
        'event name',
        'event value',
        'event channelData',
      ]);
      plantedOutsideText++;
    }

    // 2. /api/messages (any Bot Framework channel): attachments, summary, speak, any extra field.
    const outside = messages.filter((m) => m.planted.length > 0).filter((_, i) => i % 5 === 0);
    for (const [i, message] of outside.entries()) {
      const p = message.planted[0]!;
      const w = p.around(p.written);
      const res = await fetch(`${server.origin}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...channelActivity(connector.serviceUrl, `probe-channel-${i}`, message.text),
          from: { id: `citizen-${i}`, name: w, role: 'user' },
          conversation: { id: `probe-channel-${i}`, name: w },
          summary: w,
          speak: w,
          attachments: [
            { contentType: 'application/vnd.microsoft.card.hero', name: w, content: { title: w, text: w, buttons: [{ type: 'imBack', value: w }] } },
          ],
          channelData: { tenant: { note: w } },
          value: { [w]: [w] },
          probeExtraField: { anything: [w, { deeper: w }] },
        }),
      });
      activitiesSent++;
      if (res.status >= 300) throw new Error(`/api/messages: ${res.status}`);
      placements += 9;
      [
        'api: text',
        'api: from.name',
        'api: conversation.name',
        'api: summary',
        'api: speak',
        'api: attachments (content)',
        'api: channelData',
        'api: value',
        'api: extra fields',
      ].forEach((f) => fields.add(f));
      plantedAll.push(...message.planted);
      plantedOutsideText++;
    }

    // 3. Flows that store the citizen's words elsewhere: a left question (case), a rating comment, a suggestion.
    const withValues = messages.filter((m) => m.planted.length > 0);
    const pick = (n: number) => withValues[n % Math.max(1, withValues.length)];
    const flows = await dl.start();
    const caseMessage = pick(1);
    const commentMessage = pick(2);
    const suggestionMessage = pick(3);
    if (caseMessage && commentMessage && suggestionMessage) {
      await send(flows, { type: 'message', text: 'Atstāt jautājumu', value: { action: 'case-start' } }, []);
      await send(flows, { type: 'message', text: 'janis.berzins@example.lv' }, []);
      await send(flows, { type: 'message', text: caseMessage.text }, ['case question']);
      await send(flows, { type: 'message', text: 'Piekrītu', value: { action: 'case-consent', agree: true } }, []);
      await send(flows, { type: 'message', text: '4', value: { action: 'rate', score: 4 } }, []);
      await send(flows, { type: 'message', text: 'Komentārs', value: { action: 'comment' } }, []);
      await send(flows, { type: 'message', text: commentMessage.text }, ['rating comment']);
      await send(flows, { type: 'message', text: 'Man ir ierosinājums' }, []);
      await send(flows, { type: 'message', text: suggestionMessage.text }, ['suggestion']);
      plantedAll.push(...caseMessage.planted, ...commentMessage.planted, ...suggestionMessage.planted);
    }

    // 4. A value nested 2,500 deep, a value at its bottom: stored (cut off) or refused, never a crash.
    const deepMessage = pick(4);
    if (deepMessage) {
      const p = deepMessage.planted[0]!;
      const deep = `${'['.repeat(2_500)}"${jsonEscape(p.around(p.written))}"${']'.repeat(2_500)}`;
      const c = await dl.start();
      const res = await fetch(`${server.origin}/v3/directline/conversations/${c.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: `{"type":"message","text":"dziļi","value":${deep},"channelData":{"deep":${deep}}}`,
      });
      deepNesting.push({ route: 'directline', status: res.status });
      const api = await fetch(`${server.origin}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(channelActivity(connector.serviceUrl, 'probe-deep', 'dziļi')).replace(/}$/, `,"value":${deep}}`),
      });
      deepNesting.push({ route: '/api/messages', status: api.status });
      activitiesSent += 2;
      placements += 2;
      fields.add('value nested 2,500 deep');
      plantedAll.push(...deepMessage.planted);
      if ((await fetch(`${server.origin}/readyz`)).status !== 200) throw new Error('the server is not ready after the deep-nesting sends');
    }

    // Read back what Direct Line stored for each message (the citizen's echo), in order.
    const stored = new Map<string, string[]>();
    for (const c of new Set(sentTexts.map((s) => s.conversation))) {
      const activities = await dl.readAll(c);
      stored.set(
        c.conversationId,
        activities.filter((a) => a.from.role === 'user' && a.type === 'message' && a.text !== 'Paldies').map((a) => a.text ?? ''),
      );
    }
    const storedNotAsExpected: ProbeReport['storedNotAsExpected'] = [];
    const position = new Map<string, number>();
    for (const { conversation: c, message } of sentTexts) {
      const at = position.get(c.conversationId) ?? 0;
      position.set(c.conversationId, at + 1);
      const text = stored.get(c.conversationId)?.[at];
      if (text !== message.expected) storedNotAsExpected.push({ id: message.id, expected: message.expected, stored: text });
    }

    const running = scanDirectory(dataDir, plantedAll, '(running) ');
    await server.stop();
    const serverExit = await server.exited;
    const after = scanDirectory(dataDir, plantedAll, '');
    const log = Buffer.from(server.stdout() + server.stderr(), 'utf8');
    const leaksInLog = scanBytes(log, plantedAll, 'server log');
    const planted: Record<PlantedKind, number> = { 'personal-code': 0, card: 0, iban: 0 };
    for (const p of new Map(plantedAll.map((p) => [`${p.kind}:${p.written}`, p])).values()) planted[p.kind]++;
    return {
      messagesSent: sentTexts.length,
      activitiesSent,
      fieldsCovered: [...fields],
      planted,
      placements,
      plantedOutsideText,
      filesScanned: [...running.files, ...after.files],
      logBytes: log.length,
      leaksInFiles: [...running.leaks, ...after.leaks],
      leaksInLog,
      storedNotAsExpected,
      falsePositives: storedNotAsExpected.filter((s) => s.id.startsWith('negative/')).length,
      deepNesting,
      serverExit,
      ...(options.keepDataDir ? { dataDir } : {}),
    };
  } finally {
    await server.stop();
    await connector.close();
    if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- Scanning ----

/** Every file under `dir`, at any depth, scanned as bytes. */
export function scanDirectory(dir: string, planted: readonly Planted[], label = ''): { files: { file: string; bytes: number }[]; leaks: Leak[] } {
  const files: { file: string; bytes: number }[] = [];
  const leaks: Leak[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const bytes = readFileSync(full);
        files.push({ file: label + path.relative(dir, full), bytes: bytes.length });
        leaks.push(...scanBytes(bytes, planted, label + path.relative(dir, full)));
      }
    }
  };
  walk(dir);
  return { files, leaks };
}

/**
 * The planted values found in `bytes`: as written (UTF-8), as JSON writes it (tabs and line
 * breaks escaped), or as their digits (IBAN characters) in order with only short runs of other
 * bytes between them (any separator, any encoding of one, record headers), case ignored.
 */
export function scanBytes(bytes: Buffer, planted: readonly Planted[], where: string): Leak[] {
  const raw = bytes.toString('latin1');
  // Each kept character remembers its offset, for the context shown with a leak.
  const kept: number[] = [];
  let projection = '';
  let gap = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    const alnum = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (!alnum) {
      gap++;
      continue;
    }
    if (gap > 8) {
      projection += '|';
      kept.push(i);
    }
    gap = 0;
    projection += String.fromCharCode(code >= 97 ? code - 32 : code);
    kept.push(i);
  }
  const leaks: Leak[] = [];
  const seen = new Set<string>();
  for (const p of planted) {
    const key = `${p.kind}:${p.compact}:${p.written}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const asWritten = Buffer.from(p.written, 'utf8').toString('latin1');
    const asJson = Buffer.from(jsonEscape(p.written), 'utf8').toString('latin1');
    const found: [Leak['match'], number][] = [
      ['as written', raw.indexOf(asWritten)],
      ['as JSON', raw.indexOf(asJson)],
      ['separators stripped', ((at) => (at < 0 ? -1 : kept[at]!))(projection.indexOf(p.compact.toUpperCase()))],
    ];
    const hit = found.find(([, at]) => at >= 0);
    if (hit) {
      const [match, at] = hit;
      leaks.push({
        where,
        kind: p.kind,
        form: p.form,
        written: p.written,
        match,
        context: JSON.stringify(Buffer.from(raw.slice(Math.max(0, at - 40), at + 60), 'latin1').toString('utf8')),
      });
    }
  }
  return leaks;
}

function jsonEscape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

// ---- The server and its clients ----

function startServer(options: ProbeOptions, dataDir: string): Promise<BotProcess> {
  return spawnBot(
    {
      DATA_DIR: dataDir,
      LOG_LEVEL,
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_CHANNEL_IP_PER_MINUTE: '0',
      RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
    },
    { cwd: options.root, entry: options.entry },
  );
}

function directLine(origin: string) {
  const base = `${origin}/v3/directline`;
  return {
    async start(): Promise<Conversation> {
      const generated = (await (await fetch(`${base}/tokens/generate`, { method: 'POST' })).json()) as Conversation;
      const started = await fetch(`${base}/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${generated.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ locale: 'lv-LV' }),
      });
      if (started.status !== 201) throw new Error(`start: ${started.status} ${await started.text()}`);
      return generated;
    },
    async send(c: Conversation, activity: Record<string, unknown>): Promise<Response> {
      const res = await fetch(`${base}/conversations/${c.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      if (res.status !== 200) throw new Error(`send: ${res.status} ${await res.text()}`);
      return res;
    },
    async readAll(c: Conversation): Promise<DlActivity[]> {
      const all: DlActivity[] = [];
      for (let watermark = 0; ;) {
        const res = await fetch(`${base}/conversations/${c.conversationId}/activities?watermark=${watermark}`, {
          headers: { authorization: `Bearer ${c.token}` },
        });
        const body = (await res.json()) as { activities: DlActivity[]; watermark: string };
        all.push(...body.activities);
        if (body.activities.length === 0 || Number(body.watermark) === watermark) return all;
        watermark = Number(body.watermark);
      }
    },
  };
}

// ---- Command line ----

export function formatReport(r: ProbeReport): string {
  const total = r.planted['personal-code'] + r.planted.card + r.planted.iban;
  const lines = [
    `messages sent: ${r.messagesSent} (activities: ${r.activitiesSent})`,
    `fields covered (${r.fieldsCovered.length}): ${r.fieldsCovered.join(', ')}`,
    `planted: ${r.planted['personal-code']} personal codes, ${r.planted.card} cards, ${r.planted.iban} IBANs; ${r.placements} placements (${r.plantedOutsideText} values also outside text)`,
    `files scanned: ${r.filesScanned.map((f) => `${f.file} (${f.bytes} B)`).join(', ')}; log: ${r.logBytes} B`,
    `found in DB files: ${new Set(r.leaksInFiles.map((l) => l.written)).size} of ${total} values (${r.leaksInFiles.length} hits)`,
    `found in log: ${new Set(r.leaksInLog.map((l) => l.written)).size} of ${total} values (${r.leaksInLog.length} hits)`,
    `stored text not as expected: ${r.storedNotAsExpected.length} (false positives on ordinary numbers: ${r.falsePositives})`,
    `deep nesting: ${r.deepNesting.map((d) => `${d.route} → ${d.status}`).join(', ')}; server exit code ${r.serverExit}`,
    ...(r.dataDir ? [`DATA_DIR kept: ${r.dataDir}`] : []),
  ];
  const byWhere = new Map<string, number>();
  for (const l of [...r.leaksInFiles, ...r.leaksInLog]) byWhere.set(`${l.where}: ${l.kind}`, (byWhere.get(`${l.where}: ${l.kind}`) ?? 0) + 1);
  for (const [where, n] of byWhere) lines.push(`  ${n} × ${where}`);
  for (const l of [...r.leaksInFiles, ...r.leaksInLog].slice(0, 15)) lines.push(`  leak: ${l.where} ${l.kind} (${l.form}, ${l.match}): ${l.context}`);
  for (const s of r.storedNotAsExpected.slice(0, 10)) lines.push(`  stored: ${s.id}: ${JSON.stringify(s.stored)} (expected ${JSON.stringify(s.expected)})`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => argv.includes(name);
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const root = path.resolve(option('--root') ?? path.join(import.meta.dirname, '..'));
  const entry = flag('--tsx') ? 'tsx' : 'dist';
  if (entry === 'dist' && !flag('--no-build')) {
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) return 2;
  }
  const every = Number(option('--every') ?? 1);
  const messages = CORPUS.filter((_, i) => i % every === 0);
  const report = await runProbe({ root, entry, messages, keepDataDir: flag('--keep') });
  console.log(formatReport(report));
  console.log(`masks: ${Object.values(MASKS).join(' ')}`);
  return report.leaksInFiles.length + report.leaksInLog.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
