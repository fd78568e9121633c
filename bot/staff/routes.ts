// The staff console, served by the bot under /staff: the page and its script and styles, a JSON API
// (log in and out, own status and languages, queue, accept, live chat, hand back, close, notes,
// cases, transcripts) and a server-sent event stream for live updates. Every API route needs a
// session; every state-changing one also the CSRF header and a same-origin request.
import { loadPageAssets, type Asset } from './assets.js';
import type restify from 'restify';
import { z } from 'zod';
import { errorFields, type Logger } from '../log.js';
import { clientIp } from '../http/rate-limit.js';
import { addressesLoopback, cameOverHttps } from '../http/scheme.js';
import { PAGE_HEADERS, pageContentSecurityPolicy } from '../http/security-headers.js';
import type { AgencyProfile } from '../../knowledge/schema.js';
import { LANGUAGE_NAMES_LV, latestMail, mailStatus } from '../handover/mail.js';
import type { HandoverRepository, LineRef, OutboxMail, StaffMember } from '../handover/repository.js';
import type { StaffHandoverService } from '../handover/service.js';
import type { ConsoleSignal } from '../handover/types.js';
import type { CaseReplyResult } from '../handover/cases.js';
import { viewOf, type StaffDirectory } from '../handover/staff.js';
import { formatDate, formatDateTime, transcriptHtml, transcriptText, type TranscriptMeta } from '../handover/transcript.js';
import { sendFailure, type ErrorCode } from '../http/errors.js';
import {
  CSRF_HEADER,
  LoginThrottle,
  SESSION_HOURS,
  clearedSessionCookie,
  csrfMatches,
  csrfTokenFor,
  hashToken,
  newSessionToken,
  readCookie,
  sessionCookie,
  sessionCookieName,
  type CookieSettings,
} from './auth.js';

export interface StaffConsoleDeps {
  service: StaffHandoverService;
  directory: StaffDirectory;
  repo: HandoverRepository;
  profile: () => AgencyProfile;
  cookies: CookieSettings;
  trustProxyHops: number;
  log: Logger;
  throttle?: LoginThrottle;
  /** How often the event stream says it is alive (and the session is re-checked). */
  heartbeatMs?: number;
}

export interface StaffConsole {
  /** The staff member of a request's session, if any: for console pages mounted elsewhere (reports.ts). */
  authenticate(req: restify.Request): Promise<{ staff: StaffMember } | undefined>;
  /** Ends the open event streams (server shutdown). */
  close(): void;
}

/** Our page: scripts and styles from this origin only, nothing inline, never framed. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'Content-Security-Policy': pageContentSecurityPolicy(),
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** One of the staff pages' files: the page itself never cached, its scripts and styles revalidated. */
export function sendStaffAsset(res: restify.Response, asset: Asset): void {
  res.writeHead(200, {
    'Content-Type': asset.type,
    'Content-Length': String(asset.body.length),
    'Cache-Control': asset.type.startsWith('text/html') ? 'no-store' : 'no-cache',
    ...CONSOLE_SECURITY_HEADERS,
  });
  res.end(asset.body);
}

/** A downloaded transcript: no script can run even if a browser renders it inline. */
const DOWNLOAD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

const TICKET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CASE_ID = /^P-\d{8}-[0-9A-F]{6}$/;

const loginBody = z.object({ login: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const statusBody = z.object({ status: z.enum(['online', 'away']) });
const languagesBody = z.object({ languages: z.array(z.string().max(5)).min(1).max(20) });
const textBody = z.object({ text: z.string().min(1).max(4000) });
const replyBody = z.object({ text: z.string().min(1).max(10_000) });

/** Why a reply or call-back was not recorded, as the console shows it. */
const REPLY_REFUSED: Record<Exclude<CaseReplyResult['kind'], 'ok'>, [number, ErrorCode, string]> = {
  'not-found': [404, 'NotFound', 'lieta nav atrasta'],
  empty: [400, 'BadRequest', 'atbilde ir tukša'],
  closed: [409, 'Conflict', 'lieta jau ir atbildēta'],
  'wrong-contact': [409, 'Conflict', 'iedzīvotājs lūdza citu saziņas veidu'],
  'mail-not-configured': [
    409,
    'MailNotConfigured',
    'e-pasta sūtīšana nav iestatīta (SMTP_URL vai SMTP_HOST ar SMTP_FROM): atbildiet no sava e-pasta un atzīmējiet lietu kā atbildētu',
  ],
  pending: [409, 'Conflict', 'iepriekšējā atbilde vēl tiek sūtīta'],
};

interface Authed {
  staff: StaffMember;
  token: string;
}

type Handler = (req: restify.Request, res: restify.Response, auth: Authed) => Promise<void>;

export function mountStaffConsole(server: restify.Server, deps: StaffConsoleDeps): StaffConsole {
  const { service, directory, repo, log } = deps;
  const throttle = deps.throttle ?? new LoginThrottle({ now: () => service.now().getTime() });
  const cookieName = sessionCookieName(deps.cookies);
  const streams = new Set<restify.Response>();
  // dom.js: the helpers both staff pages load first (the report page too, see reports.ts).
  const assets = loadPageAssets('staff console', { html: 'index.html', js: 'console.js', css: 'console.css', dom: 'dom.js' });

  const authenticate = async (req: restify.Request): Promise<Authed | undefined> => {
    const token = readCookie(req.headers.cookie, cookieName);
    if (token === undefined || token.length < 20 || token.length > 100) return undefined;
    const found = await repo.findSession(hashToken(token), service.now());
    return found && { staff: found.staff, token };
  };

  const route = (method: 'get' | 'post', pathPattern: string, handler: Handler) => {
    server[method](pathPattern, async function staffApi(req: restify.Request, res: restify.Response) {
      res.setHeader('Cache-Control', 'no-store');
      try {
        const auth = await authenticate(req);
        if (!auth) return sendError(res, 401, 'Unauthorized', 'pieslēdzieties');
        if (method === 'post') {
          if (!sameOrigin(req)) return sendError(res, 403, 'Forbidden', 'pieprasījums no citas vietnes');
          if (!csrfMatches(auth.token, req.header(CSRF_HEADER, ''))) return sendError(res, 403, 'Forbidden', 'trūkst CSRF žetona');
        }
        await handler(req, res, auth);
      } catch (err) {
        // The error's name only: its message may quote what a citizen or staff member wrote.
        log.error({ err: errorFields(err), path: req.getPath() }, 'request failed');
        if (!res.headersSent) sendError(res, 500, 'Internal', 'kļūda serverī');
      }
    });
  };

  // ---- the page ----
  const page = (name: keyof typeof assets) =>
    async function staffAsset(_req: restify.Request, res: restify.Response) {
      sendStaffAsset(res, assets[name]);
    };
  server.get('/staff', page('html'));
  server.get('/staff/', page('html'));
  server.get('/staff/console.js', page('js'));
  server.get('/staff/console.css', page('css'));
  server.get('/staff/dom.js', page('dom'));

  // ---- sessions ----
  server.post('/staff/api/login', async function staffLogin(req: restify.Request, res: restify.Response) {
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (!sameOrigin(req)) return sendError(res, 403, 'Forbidden', 'pieprasījums no citas vietnes');
      // A Secure cookie sent over plain http to another host than this machine is dropped by the
      // browser: the login would "succeed" and the form come back. Say so, and what to change.
      if (deps.cookies.secure && !cameOverHttps(req, deps.trustProxyHops) && !addressesLoopback(req)) {
        return sendError(res, 400, 'InsecureConnection', INSECURE_LOGIN);
      }
      const body = loginBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'vajag lietotājvārdu un paroli');
      const login = body.data.login.trim().toLowerCase();
      const ip = clientIp(req, deps.trustProxyHops);
      const allowed = throttle.begin(login, ip);
      if (!allowed.ok) {
        res.setHeader('Retry-After', String(allowed.retryAfterSeconds));
        log.warn({ ip }, 'login locked out');
        return sendError(res, 429, 'TooManyRequests', `pārāk daudz neveiksmīgu mēģinājumu; mēģiniet pēc ${Math.ceil(allowed.retryAfterSeconds / 60)} min`);
      }
      const staff = await directory.authenticate(login, body.data.password);
      if (!staff) {
        log.warn({ ip }, 'login failed');
        return sendError(res, 401, 'Unauthorized', 'nepareizs lietotājvārds vai parole');
      }
      allowed.attempt.succeeded();
      // A fresh token at every login (no session fixation); an old session of this browser ends.
      const previous = readCookie(req.headers.cookie, cookieName);
      if (previous) await repo.deleteSession(hashToken(previous));
      const token = newSessionToken();
      const now = service.now();
      await repo.createSession({
        tokenHash: hashToken(token),
        staffId: staff.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
      });
      await service.setStatus(staff, 'online');
      log.info({ staffId: staff.id }, 'logged in');
      res.setHeader('Set-Cookie', sessionCookie(token, deps.cookies));
      res.send(200, { me: viewOf(staff), csrfToken: csrfTokenFor(token) });
    } catch (err) {
      log.error({ err: errorFields(err) }, 'login failed with an error');
      sendError(res, 500, 'Internal', 'kļūda serverī');
    }
  });

  route('post', '/staff/api/logout', async (_req, res, { staff, token }) => {
    await repo.deleteSession(hashToken(token));
    await service.setStatus(staff, 'offline');
    log.info({ staffId: staff.id }, 'logged out');
    res.setHeader('Set-Cookie', clearedSessionCookie(deps.cookies));
    res.send(204);
  });

  route('get', '/staff/api/me', async (_req, res, { staff, token }) => {
    res.send(200, { me: viewOf(staff), csrfToken: csrfTokenFor(token), languageNames: LANGUAGE_NAMES_LV });
  });

  route('get', '/staff/api/state', async (_req, res, { staff }) => {
    await service.seen(staff);
    res.send(200, await service.consoleState(staff));
  });

  route('post', '/staff/api/status', async (req, res, { staff }) => {
    const body = statusBody.safeParse(req.body);
    if (!body.success) return sendError(res, 400, 'BadRequest', 'statuss: online vai away');
    await service.setStatus(staff, body.data.status);
    res.send(200, { status: body.data.status });
  });

  route('post', '/staff/api/languages', async (req, res, { staff }) => {
    const body = languagesBody.safeParse(req.body);
    if (!body.success) return sendError(res, 400, 'BadRequest', 'valodu saraksts');
    const result = await directory.setLanguages(staff.login, body.data.languages);
    if (!result.ok) return sendError(res, 400, 'BadRequest', result.message);
    res.send(200, { me: viewOf(result.value) });
  });

  // ---- conversations ----
  const withTicket =
    (handler: (req: restify.Request, res: restify.Response, auth: Authed, ticketId: string) => Promise<void>): Handler =>
    async (req, res, auth) => {
      const id = String(req.params?.['id'] ?? '');
      if (!TICKET_ID.test(id)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      await handler(req, res, auth, id);
    };

  route(
    'get',
    '/staff/api/tickets/:id',
    withTicket(async (_req, res, { staff }, id) => {
      const ticket = await service.ticket(id);
      if (!ticket || !service.canSee(staff, ticket)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      const ref: LineRef = { ticketId: id };
      res.send(200, { ticket: ticketView(ticket), lines: await service.lines(ref), notes: await service.notes(ref) });
    }),
  );

  route(
    'post',
    '/staff/api/tickets/:id/accept',
    withTicket(async (_req, res, { staff }, id) => {
      const result = await service.accept(staff, id);
      switch (result.kind) {
        case 'accepted':
          return void res.send(200, { ticket: ticketView(result.ticket) });
        case 'taken':
          return sendError(res, 409, 'Conflict', 'sarunu jau pieņēma cits darbinieks, vai iedzīvotājs aizgāja');
        case 'language':
          return sendError(res, 403, 'Forbidden', 'jūs nerunājat šīs sarunas valodā');
        case 'not-found':
          return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      }
    }),
  );

  route(
    'post',
    '/staff/api/tickets/:id/messages',
    withTicket(async (req, res, { staff }, id) => {
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'ziņa: 1–2000 rakstzīmes');
      const result = await service.sendStaffMessage(staff, id, body.data.text);
      sendAction(res, result, 201);
    }),
  );

  route(
    'post',
    '/staff/api/tickets/:id/hand-back',
    withTicket(async (_req, res, { staff }, id) => sendAction(res, await service.handBack(staff, id))),
  );

  route(
    'post',
    '/staff/api/tickets/:id/close',
    withTicket(async (_req, res, { staff }, id) => sendAction(res, await service.closeTicket(staff, id))),
  );

  route(
    'post',
    '/staff/api/tickets/:id/notes',
    withTicket(async (req, res, { staff }, id) => {
      const ticket = await service.ticket(id);
      if (!ticket || !service.canSee(staff, ticket)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'piezīme: 1–4000 rakstzīmes');
      const note = await service.addNote(staff, { ticketId: id }, body.data.text);
      if ('kind' in note) return sendError(res, note.kind === 'empty' ? 400 : 404, note.kind === 'empty' ? 'BadRequest' : 'NotFound', 'piezīme nav saglabāta');
      res.send(201, { note });
    }),
  );

  route(
    'get',
    '/staff/api/tickets/:id/transcript',
    withTicket(async (req, res, { staff }, id) => {
      const ticket = await service.ticket(id);
      if (!ticket || !service.canSee(staff, ticket)) return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
      const ref: LineRef = { ticketId: id };
      const profile = deps.profile();
      const meta: TranscriptMeta = {
        title: `Saruna ${ticket.conversationId.slice(0, 12)}`,
        agencyName: profile.name.lv,
        timeZone: profile.timeZone,
        facts: [
          ['Valoda', LANGUAGE_NAMES_LV[ticket.language]],
          ['Kanāls', ticket.channel],
          ['Sākta', formatDateTime(ticket.createdAt, profile.timeZone)],
          ['Stāvoklis', ticket.state],
          ...(ticket.staffName ? ([['Darbinieks', ticket.staffName]] as [string, string][]) : []),
        ],
      };
      sendTranscript(req, res, `saruna-${ticket.id.slice(0, 8)}`, meta, await service.lines(ref), await service.notes(ref));
    }),
  );

  // ---- cases ----
  const withCase =
    (handler: (req: restify.Request, res: restify.Response, auth: Authed, caseId: string) => Promise<void>): Handler =>
    async (req, res, auth) => {
      const id = String(req.params?.['id'] ?? '');
      if (!CASE_ID.test(id)) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      await handler(req, res, auth, id);
    };

  route(
    'get',
    '/staff/api/cases/:id',
    withCase(async (_req, res, _auth, id) => {
      const record = await service.caseById(id);
      if (!record) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      const ref: LineRef = { caseId: id };
      const mails = await repo.mailOf(id);
      const canSend = service.cases.mailConfigured;
      const delivery = (m: OutboxMail | undefined) => {
        if (!m) return undefined;
        const status = mailStatus(m, canSend);
        return {
          status,
          attempts: m.attempts,
          sentAt: m.sentAt,
          rejectedAt: m.rejectedAt,
          cancelledAt: m.cancelledAt,
          nextAttemptAt: status === 'failing' ? m.nextAttemptAt : undefined,
          lastError: m.lastError,
        };
      };
      res.send(200, {
        case: record,
        lines: await service.lines(ref),
        notes: await service.notes(ref),
        mail: { agency: delivery(latestMail(mails, 'agency')), reply: delivery(latestMail(mails, 'citizen')), configured: canSend },
      });
    }),
  );

  route(
    'post',
    '/staff/api/cases/:id/close',
    withCase(async (_req, res, { staff }, id) => {
      const result = await service.cases.close(staff, id);
      if (result.kind === 'not-found') return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      if (result.kind === 'invalid') return sendError(res, 409, 'Conflict', 'lieta jau ir slēgta');
      res.send(200, { ok: true });
    }),
  );

  const caseAnswer = (answer: (staff: StaffMember, id: string, text: string) => Promise<CaseReplyResult>): Handler =>
    withCase(async (req, res, { staff }, id) => {
      const body = replyBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'atbilde: 1–10 000 rakstzīmes');
      const result = await answer(staff, id, body.data.text);
      if (result.kind !== 'ok') return sendError(res, ...REPLY_REFUSED[result.kind]);
      res.send(202, { ok: true });
    });
  // A written reply, mailed to the citizen; the case is answered once the mail server accepts it.
  route(
    'post',
    '/staff/api/cases/:id/reply',
    caseAnswer((staff, id, text) => service.cases.reply(staff, id, text)),
  );
  // A case left with a phone number: what the call settled.
  route(
    'post',
    '/staff/api/cases/:id/callback',
    caseAnswer((staff, id, text) => service.cases.recordCallback(staff, id, text)),
  );

  route(
    'post',
    '/staff/api/cases/:id/notes',
    withCase(async (req, res, { staff }, id) => {
      const body = textBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'BadRequest', 'piezīme: 1–4000 rakstzīmes');
      const note = await service.addNote(staff, { caseId: id }, body.data.text);
      if ('kind' in note) return sendError(res, note.kind === 'empty' ? 400 : 404, note.kind === 'empty' ? 'BadRequest' : 'NotFound', 'piezīme nav saglabāta');
      res.send(201, { note });
    }),
  );

  route(
    'get',
    '/staff/api/cases/:id/transcript',
    withCase(async (req, res, _auth, id) => {
      const record = await service.caseById(id);
      if (!record) return sendError(res, 404, 'NotFound', 'lieta nav atrasta');
      const profile = deps.profile();
      const ref: LineRef = { caseId: id };
      const contact = 'email' in record.contact ? `e-pasts ${record.contact.email}` : `tālrunis ${record.contact.phone}`;
      const meta: TranscriptMeta = {
        title: `Lieta ${record.id}`,
        agencyName: profile.name.lv,
        timeZone: profile.timeZone,
        facts: [
          ['Jautājums', record.question],
          ['Saziņa', contact],
          ['Valoda', LANGUAGE_NAMES_LV[record.language]],
          ['Saņemta', formatDateTime(record.createdAt, profile.timeZone)],
          ['Atbildēt līdz', formatDate(record.dueAt, profile.timeZone)],
          ['Stāvoklis', record.state === 'open' ? 'atvērta' : 'atbildēta'],
        ],
      };
      sendTranscript(req, res, `lieta-${record.id}`, meta, await service.lines(ref), await service.notes(ref));
    }),
  );

  // ---- live updates ----
  route('get', '/staff/api/events', async (req, res, auth) => {
    let staff = auth.staff;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    streams.add(res);
    const write = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 3000\n\n');
    let pending: NodeJS.Timeout | undefined;
    const pushState = () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        void (async () => {
          staff = (await repo.staffById(staff.id)) ?? staff;
          write('state', await service.consoleState(staff));
        })().catch((err: unknown) => log.warn({ err: errorFields(err) }, 'state not sent'));
      }, 50);
    };
    const onSignal = (signal: ConsoleSignal) => {
      void (async () => {
        switch (signal.kind) {
          case 'line': {
            const line = await service.line(signal.lineId);
            const ticket = line?.ticketId ? await service.ticket(line.ticketId) : undefined;
            if (line && ticket && service.canSee(staff, ticket)) write('line', line);
            return;
          }
          case 'notes':
            return write('notes', { ticketId: signal.ticketId, caseId: signal.caseId });
          case 'ticket':
            if (signal.staffId === staff.id) write('ticket', { ticketId: signal.ticketId, state: signal.state });
            return pushState();
          default:
            return pushState();
        }
      })().catch((err: unknown) => log.warn({ err: errorFields(err) }, 'event not sent'));
    };
    const unsubscribe = service.onSignal(onSignal);
    await service.seen(staff);
    write('state', await service.consoleState(staff));
    const heartbeat = setInterval(() => {
      void (async () => {
        const still = await authenticate(req);
        if (!still) return res.end();
        staff = still.staff;
        await service.seen(staff);
        res.write(': ping\n\n');
      })().catch(() => undefined);
    }, deps.heartbeatMs ?? 15_000);
    heartbeat.unref();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearInterval(heartbeat);
        clearTimeout(pending);
        unsubscribe();
        streams.delete(res);
        resolve();
      };
      res.once('close', done);
      req.once('close', done);
    });
  });

  function sendTranscript(
    req: restify.Request,
    res: restify.Response,
    baseName: string,
    meta: TranscriptMeta,
    lines: Parameters<typeof transcriptText>[1],
    notes: Parameters<typeof transcriptText>[2],
  ) {
    const format = (req.query as Record<string, unknown> | undefined)?.['format'] === 'text' ? 'text' : 'html';
    const body = Buffer.from(format === 'html' ? transcriptHtml(meta, lines, notes) : transcriptText(meta, lines, notes), 'utf8');
    res.writeHead(200, {
      'Content-Type': format === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
      'Content-Length': String(body.length),
      'Content-Disposition': `attachment; filename="${baseName}.${format === 'html' ? 'html' : 'txt'}"`,
      ...DOWNLOAD_HEADERS,
    });
    res.end(body);
  }

  return {
    authenticate,
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

function ticketView(t: NonNullable<Awaited<ReturnType<StaffHandoverService['ticket']>>>) {
  const { reference: _private, version: _v, lastPosition: _p, ...rest } = t;
  return rest;
}

function sendAction(res: restify.Response, result: Awaited<ReturnType<StaffHandoverService['sendStaffMessage']>>, okStatus = 200): void {
  switch (result.kind) {
    case 'ok':
      return void res.send(okStatus, { ticket: ticketView(result.ticket) });
    case 'empty':
      return sendError(res, 400, 'BadRequest', 'tukša ziņa');
    case 'not-found':
      return sendError(res, 404, 'NotFound', 'saruna nav atrasta');
    case 'forbidden':
      return sendError(res, 403, 'Forbidden', 'šī nav jūsu saruna');
    case 'invalid':
      return sendError(res, 409, 'Conflict', `saruna ir stāvoklī ${result.state}`);
  }
}

function sendError(res: restify.Response, status: number, code: ErrorCode, message: string): void {
  sendFailure(res, { status, code, message });
}

/**
 * A state-changing request must come from our own page: browsers send Origin on POST and
 * Sec-Fetch-Site everywhere modern; either one from another site is refused. (SameSite=Strict
 * and the CSRF header are the main defence; this is the second.)
 */
const INSECURE_LOGIN =
  'Pārlūks nesaglabā pieteikšanās sīkdatni: tā ir Secure, bet konsole atvērta pa http, ne pa https. ' +
  'Atveriet konsoli pa https (caur starpniekserveri ar TLS) vai šajā datorā kā http://localhost; ' +
  'uzticamā iekšējā tīklā var iestatīt COOKIE_SECURE=false.';

function sameOrigin(req: restify.Request): boolean {
  const site = req.header('sec-fetch-site', '');
  if (site !== '' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.header('origin', '');
  if (origin === '' || origin === 'null') return origin === '';
  try {
    return new URL(origin).host === req.header('host', '');
  } catch {
    return false;
  }
}
