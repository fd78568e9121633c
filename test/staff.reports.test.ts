// The console's report page over HTTP on loopback with the real app: staff only (page and API),
// dates checked, and the figures of a seeded set of conversations — citizens talking to the real bot
// through Direct Line, pressing its buttons, a handover and cases on the staff side — as JSON and CSV.
import type { ConversationAccount } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '../bot/handover/repository.js';
import { currentQuarter, parseReportPeriod, spreadsheetSafe, type ReportResponse } from '../bot/staff/routes/reports.js';
import { expectSeededFigures, SEEDED_STEPS } from './support/seeded-report.js';
import { startApp, type RunningApp } from './support/app.js';

/** Monday 16 November 2026, 13:30 in Riga: within DVI's hours, in 2026 Q4. */
const clock = { t: Date.parse('2026-11-16T11:30:00Z') };
const PASSWORD = 'correct horse battery staple';
const MINUTE = 60_000;

let site: RunningApp;
let anna: StaffMember;
let cookie: string;

const url = (p: string) => `${site.origin}${p}`;

interface Action {
  title: string;
  text?: string;
  value?: unknown;
}
interface Activity {
  from: { id: string };
  text?: string;
  suggestedActions?: { actions: Action[] };
}

/** One citizen in Web Chat's place: a Direct Line conversation of the real app. */
async function citizen() {
  const dl = url('/v3/directline');
  const { token } = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const { conversationId } = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: auth })).json()) as { conversationId: string };
  const activities = `${dl}/conversations/${conversationId}/activities`;
  let watermark: string | undefined;
  const read = async (): Promise<Activity[]> => {
    const page = (await (await fetch(`${activities}${watermark ? `?watermark=${watermark}` : ''}`, { headers: auth })).json()) as {
      activities: Activity[];
      watermark: string;
    };
    watermark = page.watermark;
    return page.activities.filter((a) => a.from.id !== 'citizen');
  };
  // The turn has run when the POST answers (the bot's replies are stored by then).
  const send = async (activity: Record<string, unknown>): Promise<Activity[]> => {
    const sent = await fetch(activities, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', from: { id: 'citizen' }, ...activity }) });
    expect(sent.status).toBe(200);
    return read();
  };
  await read(); // the greeting
  return {
    conversationId,
    say: (text: string) => send({ text }),
    /** Presses a suggested action the way Web Chat does (messageBack: text and value). */
    press: (replies: Activity[], index: number) => {
      const action = replies.flatMap((a) => a.suggestedActions?.actions ?? [])[index];
      if (!action) throw new Error(`no button ${index} in ${JSON.stringify(replies.map((r) => r.text))}`);
      return send({ text: String(action.text ?? action.title), value: action.value });
    },
  };
}

function get(p: string, withSession = true): Promise<Response> {
  return fetch(url(p), { headers: withSession ? { cookie } : {}, redirect: 'manual' });
}

beforeAll(async () => {
  site = await startApp({ COOKIE_SECURE: 'false' }, { now: () => new Date(clock.t) });
  await site.app.handover.ready;
  const added = await site.app.handover.directory.add({ name: 'Anna Bērziņa', login: 'anna', languages: ['lv'], role: 'staff', password: PASSWORD });
  if (!added.ok) throw new Error(added.message);
  anna = added.value;
  const login = await fetch(url('/staff/api/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: site.origin },
    body: JSON.stringify({ login: 'anna', password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  const citizens = new Map<string, Awaited<ReturnType<typeof citizen>>>();
  for (const step of SEEDED_STEPS) {
    const c = citizens.get(step.conversation) ?? (await citizen());
    citizens.set(step.conversation, c);
    const replies = await c.say(step.say);
    if (step.press !== undefined) await c.press(replies, step.press);
  }
  const seeded = (id: string) => {
    const c = citizens.get(id);
    if (c === undefined) throw new Error(`SEEDED_STEPS has no conversation ${id}`);
    return c;
  };
  const [c2, c3, c4] = [seeded('c2'), seeded('c3'), seeded('c4')];

  // The staff side: a handover accepted after 4 minutes and answered after 6; two cases, one answered.
  const service = site.app.handover.service;
  const { ticket } = await service.enqueue({
    conversationId: c2.conversationId,
    channel: 'directline',
    language: 'lv',
    reason: 'asked',
    reference: { channelId: 'directline', conversation: { id: c2.conversationId } as ConversationAccount, serviceUrl: 'http://127.0.0.1' },
    transcript: [],
  });
  clock.t += 4 * MINUTE;
  expect((await service.accept(anna, ticket.id)).kind).toBe('accepted');
  clock.t += 2 * MINUTE;
  expect((await service.sendStaffMessage(anna, ticket.id, 'Labdien!')).kind).toBe('ok');
  const answered = await service.registerCase({
    conversationId: c3.conversationId,
    channel: 'directline',
    language: 'lv',
    contact: { email: 'a@example.lv' },
    question: 'Kad atbildēsiet?',
    transcript: [],
  });
  await service.registerCase({
    conversationId: c4.conversationId,
    channel: 'directline',
    language: 'lv',
    contact: { phone: '+37120000000' },
    question: 'Lūdzu, piezvaniet',
    transcript: [],
  });
  clock.t += 60 * MINUTE;
  expect((await service.cases.close(anna, answered.id)).kind).not.toBe('not-found');
}, 60_000);

afterAll(async () => {
  await site?.stop();
});

describe('the report page and API need a staff session', () => {
  it('the page sends a visitor without a session to the login; the API answers 401', async () => {
    const page = await get('/staff/reports', false);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/staff');
    const api = await get('/staff/api/agencies/dvi/report?from=2026-10-01&to=2026-12-31', false);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    const csv = await get('/staff/api/agencies/dvi/report?format=csv', false);
    expect(csv.status).toBe(401);
    const forged = await fetch(url('/staff/api/agencies/dvi/report'), { headers: { cookie: 'padoms-staff=not-a-real-session-token-at-all' } });
    expect(forged.status).toBe(401);
  });

  it('with a session: the page, under the console CSP, with nothing inline', async () => {
    const page = await get('/staff/reports');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<html lang="lv">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    expect(html).not.toMatch(/\sstyle=|<style\b|\son[a-z]+=/);
    for (const asset of ['/staff/reports.js', '/staff/reports.css']) {
      const res = await get(asset);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // The console links to the page.
    expect(await (await get('/staff')).text()).toContain('href="/staff/reports"');
  });
});

describe('dates', () => {
  it.each([
    ['from=2026-13-01&to=2026-12-31', 'from'],
    ['from=2026-02-30&to=2026-03-31', 'from'],
    ['from=01.10.2026&to=2026-12-31', 'from'],
    ['from=2026-10-01&to=tomorrow', 'to'],
    ['from=2026-10-01', 'to'],
    ['to=2026-12-31', 'from'],
    ['from=2026-10-01&from=2026-11-01&to=2026-12-31', 'from'],
    ['from=2026-12-31&to=2026-10-01', 'to'],
    ['from=2023-01-01&to=2026-01-01', 'period'],
    ['from=2026-10-01&to=2026-12-31&format=xml', 'format'],
  ])('%s → 400 (%s)', async (query, field) => {
    const res = await get(`/staff/api/agencies/dvi/report?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; field: string } };
    expect(body.error).toMatchObject({ code: 'BadRequest', field });
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it("periods: the current quarter by default, both days included, at most three years; days in the agency's time zone", () => {
    const riga = 'Europe/Riga';
    const now = new Date('2026-11-16T11:30:00Z');
    // Riga is UTC+3 in summer, UTC+2 in winter: its days begin at 21:00 or 22:00 UTC the day before.
    expect(currentQuarter(now, riga)).toEqual({ from: new Date('2026-09-30T21:00:00Z'), to: new Date('2026-12-31T22:00:00Z') });
    // 23:59 UTC on 31 March is already 1 April in Riga: the second quarter.
    expect(currentQuarter(new Date('2026-03-31T23:59:59Z'), riga)).toEqual({ from: new Date('2026-03-31T21:00:00Z'), to: new Date('2026-06-30T21:00:00Z') });
    expect(parseReportPeriod({}, now, riga)).toEqual({ ok: true, period: currentQuarter(now, riga) });
    expect(parseReportPeriod({ from: '2028-02-29', to: '2028-02-29' }, now, riga)).toEqual({
      ok: true,
      period: { from: new Date('2028-02-28T22:00:00Z'), to: new Date('2028-02-29T22:00:00Z') },
    });
    expect(parseReportPeriod({ from: '2027-02-29', to: '2027-03-01' }, now, riga)).toMatchObject({ ok: false, field: 'from' });
    expect(parseReportPeriod({ from: '2024-01-01', to: '2026-12-31' }, now, riga)).toMatchObject({ ok: true });
    expect(parseReportPeriod({ from: '2024-01-01', to: '2027-01-01' }, now, riga)).toMatchObject({ ok: false, field: 'period' });
    // The fuzzer's find: the far past and future are refused, not a 500.
    expect(parseReportPeriod({ from: '0001-01-01', to: '9999-12-31' }, now, riga)).toMatchObject({ ok: false, field: 'period' });
    expect(parseReportPeriod({ from: '9999-01-01', to: '9999-12-31' }, now, riga)).toMatchObject({ ok: false, field: 'period' });
  });
});

describe('the figures', () => {
  it('the JSON report counts the seeded conversations, handover and cases', async () => {
    const res = await get('/staff/api/agencies/dvi/report?from=2026-11-01&to=2026-11-30');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const report = (await res.json()) as ReportResponse;
    expect(report.from).toBe('2026-11-01');
    expect(report.to).toBe('2026-11-30');
    expectSeededFigures(report);
    expect(report.shares.handover).toBe(0);
    expect(report.handovers).toEqual({ count: 1, accepted: 1, medianWaitMinutes: 4, medianFirstReplyMinutes: 6 });
    expect(report.cases).toEqual({ count: 2, answered: 1, deadlinesMet: 1, overdue: 0 });
    // Names beside the ids, for the page.
    expect(report.labels.authorities['vid']).toMatch(/Valsts ieņēmumu dienests/);
    expect(Object.keys(report.labels.entries).sort()).toEqual(['dvi.breach-notification', 'dvi.consent']);
  });

  it('without dates: the current quarter; a period with nothing in it: zeros', async () => {
    const quarter = (await (await get('/staff/api/agencies/dvi/report')).json()) as ReportResponse;
    expect([quarter.from, quarter.to]).toEqual(['2026-10-01', '2026-12-31']);
    expect(quarter.conversations).toBe(5);
    const before = (await (await get('/staff/api/agencies/dvi/report?from=2026-01-01&to=2026-03-31')).json()) as ReportResponse;
    expect(before).toMatchObject({ conversations: 0, turns: 0, handovers: { count: 0 }, cases: { count: 0 }, satisfaction: { count: 0, average: null } });
  });

  it('CSV download', async () => {
    const res = await get('/staff/api/agencies/dvi/report?from=2026-11-01&to=2026-11-30&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="padoms-parskats-dvi-2026-11-01-2026-11-30.csv"');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark, for spreadsheets
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\n');
    expect(lines[0]).toBe('section,key,value');
    expect(lines).toEqual(
      expect.arrayContaining([
        'totals,conversations,5',
        'totals,turns,11',
        'shares,referred,0.1818',
        'shares,other,0.1818',
        'helpful,yes,2',
        'referrals,vid,1',
        'satisfaction,score 4,1',
        'satisfaction,average,3.000',
        'handovers,medianWaitMinutes,4',
        'cases,deadlinesMet,1',
        'top unanswered,asdf qwerty zxcv,1',
      ]),
    );
  });

  it('a citizen question that looks like a formula is defused in the CSV', () => {
    const report = {
      topUnanswered: [
        { example: '=HYPERLINK("http://x")', count: 1, closestEntryId: null },
        { example: 'normal', count: 1, closestEntryId: null },
      ],
    };
    expect(spreadsheetSafe(report as never).topUnanswered.map((u) => u.example)).toEqual(['\'=HYPERLINK("http://x")', 'normal']);
  });
});
