// The staff console over HTTP on loopback with the real app: authentication everywhere, CSRF,
// lockout, logout, escaping of citizen text, the live event stream, accept/relay/hand-back, cases
// mailed to a real SMTP server.
import { readFileSync } from 'node:fs';
import type { ConversationAccount } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StaffMember } from '../bot/handover/repository.js';
import type { HandoverEvent, HandoverRequest } from '../bot/handover/types.js';
import { clearedSessionCookie, sessionCookie } from '../bot/staff/auth.js';
import { startApp, type RunningApp } from './support/app.js';
import { startSmtp, textOf, type TestSmtp } from './support/smtp.js';
import { readConsoleEvents, type ConsoleEvent } from './support/console-events.js';

/** Monday 16 November 2026, 13:30 in Riga. */
const clock = { t: Date.parse('2026-11-16T11:30:00Z') };
const PASSWORD = 'correct horse battery staple';

let site: RunningApp;
let smtp: TestSmtp;
const events: HandoverEvent[] = [];
const staff: Record<string, StaffMember> = {};

beforeAll(async () => {
  smtp = await startSmtp();
  site = await startApp({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url, SMTP_FROM: 'Padoms <padoms@dvi.example>' }, { now: () => new Date(clock.t) });
  await site.app.handover.ready;
  site.app.handover.service.subscribe((e) => events.push(e));
  for (const [login, name, languages] of [
    ['anna', 'Anna Bērziņa', ['lv', 'en']],
    ['janis', 'Jānis Kalniņš', ['lv']],
    ['maris', 'Māris Ozols', ['lv']],
    ['liga', 'Līga Liepa', ['lv']],
  ] as const) {
    const added = await site.app.handover.directory.add({ name, login, languages: [...languages], role: 'staff', password: PASSWORD });
    if (!added.ok) throw new Error(added.message);
    staff[login] = added.value;
  }
});
afterAll(async () => {
  await site?.stop();
  await smtp?.stop();
});

interface Session {
  cookie: string;
  csrf: string;
}

const url = (p: string) => `${site.origin}${p}`;
/** The default agency's console API (the app serves one agency until the registry of many lands). */
const A = '/staff/api/agencies/dvi';

async function login(name: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<{ res: Response; session?: Session }> {
  const res = await fetch(url('/staff/api/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: site.origin, ...headers },
    body: JSON.stringify({ login: name, password }),
  });
  if (res.status !== 200) return { res };
  const body = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { res, session: { cookie, csrf: body.csrfToken } };
}

async function session(name: string): Promise<Session> {
  const { session: s, res } = await login(name);
  if (!s) throw new Error(`login ${name}: ${res.status}`);
  return s;
}

function call(method: 'GET' | 'POST', p: string, s?: Session, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url(p), {
    method,
    headers: {
      ...(s ? { cookie: s.cookie } : {}),
      ...(s && method === 'POST' ? { 'x-csrf-token': s.csrf } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const request = (conversationId: string, text: string, language: 'lv' | 'en' = 'lv'): HandoverRequest => ({
  conversationId,
  channel: 'directline',
  language,
  reason: 'asked',
  reference: { channelId: 'directline', conversation: { id: conversationId } as ConversationAccount, serviceUrl: 'http://127.0.0.1' },
  transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text, timestamp: new Date(clock.t) }],
});

/** Reads server-sent events until `until` is satisfied (or the time is up). */
const readEvents = (s: Session, until: (events: ConsoleEvent[]) => boolean, during?: () => Promise<void>) =>
  readConsoleEvents(url(`${A}/events`), s.cookie, until, during);

describe('the console page', () => {
  it('is served with a strict CSP and no inline script or style', async () => {
    const res = await fetch(url('/staff'));
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toMatch(/<html lang="lv">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    for (const asset of ['/staff/console.js', '/staff/console.css']) expect((await fetch(url(asset))).status).toBe(200);
  });

  it('puts text on the page only as text: the script never parses HTML', () => {
    const script = readFileSync('bot/staff/public/console.js', 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(script).toMatch(/textContent/);
  });

  it('labels every form control and has a live region for new messages', async () => {
    const html = await (await fetch(url('/staff'))).text();
    for (const id of [...html.matchAll(/<(?:input|select|textarea)[^>]*\bid="([^"]+)"/g)].map((m) => m[1])) expect(html).toContain(`for="${id}"`);
    expect(html).toMatch(/role="log"[^>]*aria-live="polite"/);
  });
});

describe('authentication', () => {
  const protectedRoutes: ['GET' | 'POST', string][] = [
    ['GET', '/staff/api/me'],
    ['GET', `${A}/state`],
    ['GET', `${A}/events`],
    ['POST', '/staff/api/logout'],
    ['POST', `${A}/status`],
    ['POST', '/staff/api/languages'],
    ['GET', `${A}/tickets/00000000-0000-4000-8000-000000000000`],
    ['POST', `${A}/tickets/00000000-0000-4000-8000-000000000000/accept`],
    ['POST', `${A}/tickets/00000000-0000-4000-8000-000000000000/messages`],
    ['POST', `${A}/tickets/00000000-0000-4000-8000-000000000000/hand-back`],
    ['POST', `${A}/tickets/00000000-0000-4000-8000-000000000000/close`],
    ['POST', `${A}/tickets/00000000-0000-4000-8000-000000000000/notes`],
    ['GET', `${A}/tickets/00000000-0000-4000-8000-000000000000/transcript`],
    ['GET', `${A}/cases/P-20261116-ABCDEF`],
    ['POST', `${A}/cases/P-20261116-ABCDEF/close`],
    ['POST', `${A}/cases/P-20261116-ABCDEF/notes`],
    ['GET', `${A}/cases/P-20261116-ABCDEF/transcript`],
  ];

  it('every API route answers 401 without a session, and with a forged one', async () => {
    for (const [method, p] of protectedRoutes) {
      expect((await call(method, p, undefined, method === 'POST' ? {} : undefined)).status, `${method} ${p}`).toBe(401);
      const forged = { cookie: 'padoms-staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', csrf: 'x' };
      expect((await call(method, p, forged, method === 'POST' ? {} : undefined)).status, `${method} ${p} (forged)`).toBe(401);
    }
  });

  it('logs in with a session cookie that is HttpOnly and SameSite=Strict, never with a wrong password', async () => {
    const wrong = await login('maris', 'not the password at all');
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.headers.get('set-cookie')).toBeNull();
    const { res, session: s } = await login('maris');
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^padoms-staff=[A-Za-z0-9_-]{43}; Path=\/staff; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const me = await call('GET', '/staff/api/me', s);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { me: { login: string; passwordHash?: string } }).me).toMatchObject({ login: 'maris' });
  });

  it('with COOKIE_SECURE (the default) the cookie is Secure and __Host- prefixed', () => {
    expect(sessionCookie('t', { secure: true })).toBe('__Host-padoms-staff=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure');
    expect(clearedSessionCookie({ secure: true })).toMatch(/Max-Age=0/);
  });

  it('refuses a login posted from another site', async () => {
    expect((await login('maris', PASSWORD, { origin: 'https://evil.example' })).res.status).toBe(403);
    expect((await login('maris', PASSWORD, { 'sec-fetch-site': 'cross-site' })).res.status).toBe(403);
  });

  it('a form post (not JSON) is refused before it reaches the console', async () => {
    const res = await fetch(url('/staff/api/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.origin },
      body: `login=maris&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(res.status).toBe(415);
  });
});

describe('CSRF', () => {
  it('every state-changing request needs the token of its own session', async () => {
    const s = await session('janis');
    const other = await session('maris');
    expect((await call('POST', `${A}/status`, { cookie: s.cookie, csrf: '' }, { status: 'away' })).status).toBe(403);
    expect((await call('POST', `${A}/status`, { cookie: s.cookie, csrf: other.csrf }, { status: 'away' })).status).toBe(403);
    // One character changed (never to itself: a token that already ends in "A" made this flaky).
    const tampered = `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}`;
    expect((await call('POST', `${A}/status`, { cookie: s.cookie, csrf: tampered }, { status: 'away' })).status).toBe(403);
    expect((await call('POST', '/staff/api/logout', { cookie: s.cookie, csrf: '' })).status).toBe(403);
    expect((await call('POST', `${A}/status`, s, { status: 'away' }, { origin: 'https://evil.example' })).status).toBe(403);
    const ok = await call('POST', `${A}/status`, s, { status: 'away' });
    expect(ok.status).toBe(200);
    // Still logged in: the refused logout did nothing.
    expect((await call('GET', '/staff/api/me', s)).status).toBe(200);
  });
});

describe('lockout', () => {
  it('locks a login at the address that failed 5 times in 15 minutes, even for the right password; other logins still work', async () => {
    for (let i = 0; i < 5; i++) expect((await login('liga', `wrong password ${i}`)).res.status).toBe(401);
    const locked = await login('liga');
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login('maris')).res.status).toBe(200);
    clock.t += 15 * 60_000 + 1000;
    expect((await login('liga')).res.status).toBe(200);
  });

  it('locks an address after 20 failures across logins', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' }; // not trusted: TRUST_PROXY_HOPS=0, all from 127.0.0.1
    for (let i = 0; i < 20; i++) expect((await login(`nobody${i}`, 'wrong password here', from)).res.status).toBe(401);
    expect((await login('maris')).res.status).toBe(429);
    clock.t += 15 * 60_000 + 1000;
    expect((await login('maris')).res.status).toBe(200);
  });
});

describe('logout', () => {
  it('ends the session on the server and clears the cookie', async () => {
    const s = await session('maris');
    const res = await call('POST', '/staff/api/logout', s);
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^padoms-staff=; Path=\/staff; .*Max-Age=0/);
    expect((await call('GET', '/staff/api/me', s)).status).toBe(401);
    expect((await call('GET', `${A}/state`, s)).status).toBe(401);
  });
});

describe('a conversation through the console', () => {
  it('queue → accept (one of two) → live relay → escaped transcript → hand back', async () => {
    const anna = await session('anna');
    const janis = await session('janis');
    await call('POST', `${A}/status`, anna, { status: 'online' });
    await call('POST', `${A}/status`, janis, { status: 'online' });
    const xss = '<script>alert(1)</script>';
    const { ticket } = await site.app.handover.service.enqueue(request('conv-xss', `Palīdziet ${xss}`));

    const state = (await (await call('GET', `${A}/state`, anna)).json()) as { queue: { ticketId: string; position: number }[] };
    expect(state.queue).toEqual([expect.objectContaining({ ticketId: ticket.id, position: 1 })]);

    const [first, second] = await Promise.all([
      call('POST', `${A}/tickets/${ticket.id}/accept`, anna),
      call('POST', `${A}/tickets/${ticket.id}/accept`, janis),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const [winner, loser] = first.status === 200 ? [anna, janis] : [janis, anna];
    expect((await call('POST', `${A}/tickets/${ticket.id}/messages`, loser, { text: 'Sveiki' })).status).toBe(403);

    // Live: the citizen's message arrives on the winner's event stream, as text.
    const seen = await readEvents(
      winner,
      (list) => list.some((e) => e.event === 'line' && (e.data as { text: string }).text === xss),
      () => site.app.handover.service.citizenMessage('conv-xss', xss),
    );
    expect(seen[0]?.event).toBe('state');

    const sent = await call('POST', `${A}/tickets/${ticket.id}/messages`, winner, { text: 'Labdien! Kā varu palīdzēt?' });
    expect(sent.status).toBe(201);
    expect(events).toContainEqual(expect.objectContaining({ type: 'staff-message', conversationId: 'conv-xss', text: 'Labdien! Kā varu palīdzēt?' }));
    expect((await call('POST', `${A}/tickets/${ticket.id}/notes`, winner, { text: `piezīme ${xss}` })).status).toBe(201);

    const detail = (await (await call('GET', `${A}/tickets/${ticket.id}`, winner)).json()) as { lines: { text: string }[]; notes: { text: string }[] };
    expect(detail.lines.map((l) => l.text)).toContain(xss); // raw in JSON: the page sets it as textContent

    const html = await call('GET', `${A}/tickets/${ticket.id}/transcript?format=html`, winner);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-disposition')).toMatch(/^attachment; filename="saruna-[0-9a-f]{8}\.html"$/);
    expect(html.headers.get('content-security-policy')).toContain('sandbox');
    const page = await html.text();
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).not.toContain(xss);
    expect(page).toContain('Labdien! Kā varu palīdzēt?');

    const text = await call('GET', `${A}/tickets/${ticket.id}/transcript?format=text`, winner);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toContain(`Iedzīvotājs: ${xss}`);

    expect((await call('POST', `${A}/tickets/${ticket.id}/hand-back`, winner)).status).toBe(200);
    expect(events).toContainEqual(expect.objectContaining({ type: 'handed-back', conversationId: 'conv-xss' }));
    expect((await call('POST', `${A}/tickets/${ticket.id}/close`, winner)).status).toBe(409);
  });

  it('staff see only conversations in their languages', async () => {
    const janis = await session('janis');
    const { ticket } = await site.app.handover.service.enqueue(request('conv-en', 'Hello, I need help', 'en'));
    const state = (await (await call('GET', `${A}/state`, janis)).json()) as { queue: { ticketId: string }[] };
    expect(state.queue.map((q) => q.ticketId)).not.toContain(ticket.id);
    expect((await call('GET', `${A}/tickets/${ticket.id}`, janis)).status).toBe(404);
    expect((await call('POST', `${A}/tickets/${ticket.id}/accept`, janis)).status).toBe(403);
    await site.app.handover.service.cancel('conv-en');
  });

  it('logging out mid-conversation puts the citizen back in the queue', async () => {
    const anna = await session('anna');
    const { ticket } = await site.app.handover.service.enqueue(request('conv-away', 'Sveiki'));
    expect((await call('POST', `${A}/tickets/${ticket.id}/accept`, anna)).status).toBe(200);
    await call('POST', '/staff/api/logout', anna);
    expect(events).toContainEqual(expect.objectContaining({ type: 'requeued', conversationId: 'conv-away', position: 1 }));
    await site.app.handover.service.cancel('conv-away');
  });
});

describe('cases in the console', () => {
  it('a registered case is mailed to the agency, listed with its deadline, and can be closed', async () => {
    const maris = await session('maris');
    const arrived = smtp.next();
    const { id, dueBy } = await site.app.handover.service.registerCase({
      conversationId: 'conv-case',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'iedzivotajs@example.lv' },
      question: 'Kā dzēst datus? <img src=x onerror=alert(1)>',
      transcript: [{ type: 'message', from: { id: 'u', name: '', role: 'user' }, text: 'Kā dzēst datus?', timestamp: new Date(clock.t) }],
    });
    const mail = await arrived; // the app's outbox sends at once
    expect(mail.to).toEqual(['pasts@dvi.gov.lv']);
    expect(textOf(mail.raw)).toContain(`Lietas numurs: ${id}`);

    const state = (await (await call('GET', `${A}/state`, maris)).json()) as { cases: { id: string; dueAt: string; overdue: boolean }[] };
    expect(state.cases).toContainEqual(expect.objectContaining({ id, dueAt: dueBy.toISOString(), overdue: false }));
    const html = await (await call('GET', `${A}/cases/${id}/transcript?format=html`, maris)).text();
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toContain('<img');
    expect((await call('POST', `${A}/cases/${id}/notes`, maris, { text: 'Atbildēju pa e-pastu' })).status).toBe(201);
    expect((await call('POST', `${A}/cases/${id}/close`, maris)).status).toBe(200);
    expect((await call('POST', `${A}/cases/${id}/close`, maris)).status).toBe(409);
    const after = (await (await call('GET', `${A}/state`, maris)).json()) as { cases: { id: string }[] };
    expect(after.cases.map((c) => c.id)).not.toContain(id);
  });

  it('staff answer a case from the console: by e-mail to the citizen (delivery shown), or by noting the call-back', async () => {
    const maris = await session('maris');
    const toAgency = smtp.next();
    const written = await site.app.handover.service.registerCase({
      conversationId: 'conv-reply',
      channel: 'directline',
      language: 'lv',
      contact: { email: 'iedzivotajs@example.lv' },
      question: 'Kā dzēst datus?',
      transcript: [],
    });
    await toAgency;
    expect((await call('POST', `${A}/cases/${written.id}/reply`, maris, { text: '' })).status).toBe(400);
    const toCitizen = smtp.next();
    expect(
      (await call('POST', `${A}/cases/${written.id}/reply`, maris, { text: 'Rakstiet veikalam; ja tas neatbild mēneša laikā, iesniedziet sūdzību.' })).status,
    ).toBe(202);
    const reply = await toCitizen;
    expect(reply.to).toEqual(['iedzivotajs@example.lv']);
    expect(textOf(reply.raw)).toContain('Rakstiet veikalam');
    // Once the mail server took it, the case is answered and its delivery is on record.
    await vi.waitFor(async () => {
      const detail = (await (await call('GET', `${A}/cases/${written.id}`, maris)).json()) as {
        case: { state: string };
        mail: { reply: { status: string; sentAt: string } };
      };
      expect(detail.case.state).toBe('closed');
      expect(detail.mail.reply).toMatchObject({ status: 'sent', sentAt: expect.any(String) });
    });
    expect((await call('POST', `${A}/cases/${written.id}/reply`, maris, { text: 'Vēlreiz' })).status).toBe(409);

    const called = await site.app.handover.service.registerCase({
      conversationId: 'conv-call',
      channel: 'directline',
      language: 'lv',
      contact: { phone: '+37120000000' },
      question: 'Lūdzu, piezvaniet',
      transcript: [],
    });
    const refused = await call('POST', `${A}/cases/${called.id}/reply`, maris, { text: 'Atbilde' });
    expect(refused.status).toBe(409);
    expect((await call('POST', `${A}/cases/${called.id}/callback`, maris, { text: 'Izskaidroju sūdzības kārtību' })).status).toBe(202);
    const state = (await (await call('GET', `${A}/state`, maris)).json()) as { cases: { id: string }[]; mailConfigured: boolean };
    expect(state.mailConfigured).toBe(true);
    expect(state.cases.map((c) => c.id)).not.toContain(called.id);
  });
});
