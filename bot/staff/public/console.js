// The staff console in the browser: log in, the agency worked for (one of those the member serves,
// in the address as ?agency=), status and languages, the queue, live chat, cases, and for the
// agency's administrators its staff. Every value that came from a citizen (or anyone) is put on the
// page with textContent, never as HTML. State-changing requests carry the CSRF token in a header;
// updates arrive over SSE, one stream per agency. The server checks the agency on every request.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const REASONS = { asked: 'lūdza darbinieku', 'not-helped': 'bots nepalīdzēja', 'entry-offers-staff': 'jautājums prasa darbinieku' };
  const STATES = {
    queued: 'gaida rindā',
    'with-staff': 'pie darbinieka',
    'back-to-bot': 'atdota botam',
    closed: 'slēgta',
    'offline-case': 'atstāts jautājums',
    answered: 'atbildēta',
    'awaiting-consent': 'gaida piekrišanu',
  };
  const MAIL = {
    sent: 'nosūtīts',
    sending: 'tiek sūtīts',
    failing: 'neizdodas, mēģina vēlreiz',
    rejected: 'e-pasta serveris atteica',
    cancelled: 'atcelts',
    'not-configured': 'e-pasts nav iestatīts',
    none: 'nav adresāta',
  };
  const AUTHORS = { citizen: 'Iedzīvotājs', bot: 'Padoms', staff: 'Darbinieks', system: 'Sistēma' };
  const ROLES = {
    staff: 'darbinieks',
    editor: 'zināšanu redaktors',
    publisher: 'zināšanu publicētājs',
    admin: 'iestādes administrators',
    'installation-admin': 'instalācijas administrators',
  };
  /** The roles an agency's administrator grants, each including the ones before it. */
  const AGENCY_ROLES = ['staff', 'editor', 'publisher', 'admin'];

  let csrf = '';
  let me = null;
  let languageNames = {};
  let state = null;
  let stateReceivedAt = 0;
  let events = null;
  /** The agencies the member serves ({ id, name, role }), and the one the console is for. */
  let agencies = [];
  let agency = null;
  /** What the detail panel shows: { kind: 'ticket' | 'case', id }. */
  let detail = null;
  const shownLines = new Set();

  // ---- helpers ----

  const { el, clear } = window.PadomsDom;

  function timeZone() {
    return (state && state.timeZone) || 'Europe/Riga';
  }

  function formatTime(iso, withDate) {
    const options = withDate
      ? { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timeZone() }
      : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timeZone() };
    return new Intl.DateTimeFormat('lv-LV', options).format(new Date(iso));
  }

  function formatDay(iso) {
    return new Intl.DateTimeFormat('lv-LV', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: timeZone() }).format(new Date(iso));
  }

  /** The server's clock now: its time in the last state, plus what has passed here since. */
  function serverNow() {
    return state ? Date.parse(state.now) + (Date.now() - stateReceivedAt) : Date.now();
  }

  /** How long someone has waited, as staff say it: "2 min", "1 h 5 min". */
  function waited(sinceIso) {
    const minutes = Math.max(0, Math.floor((serverNow() - Date.parse(sinceIso)) / 60000));
    if (minutes < 1) return 'tikko';
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    return hours < 24 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  /** A path of the chosen agency's API. */
  function here(path) {
    return `/staff/api/agencies/${encodeURIComponent(agency)}${path}`;
  }

  function languageName(code) {
    return languageNames[code] || code;
  }

  function announce(text) {
    const a = $('announcer');
    a.textContent = '';
    // A new node each time, so screen readers read a repeated message too.
    window.setTimeout(() => {
      a.textContent = text;
    }, 50);
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    if (res.status !== 204) {
      try {
        data = await res.json();
      } catch {
        data = null;
      }
    }
    if (res.status === 401 && path !== '/staff/api/login') showLogin('Sesija beigusies. Pieslēdzieties vēlreiz.');
    return { status: res.status, data };
  }

  function errorText(result, fallback) {
    return (result.data && result.data.error && result.data.error.message) || fallback;
  }

  function status(text) {
    $('detail-status').textContent = text;
  }

  // ---- login ----

  function showLogin(message) {
    if (events) events.close();
    events = null;
    me = null;
    $('console-view').hidden = true;
    $('login-view').hidden = false;
    $('login-error').textContent = message || '';
    $('login').focus();
  }

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const login = $('login').value.trim();
    const password = $('password').value;
    if (login === '' || password === '') {
      $('login-error').textContent = 'Ievadiet lietotājvārdu un paroli.';
      return;
    }
    const result = await api('POST', '/staff/api/login', { login, password });
    $('password').value = '';
    if (result.status === 200) {
      csrf = result.data.csrfToken;
      await start();
    } else {
      $('login-error').textContent = result.status === 401 ? 'Nepareizs lietotājvārds vai parole.' : errorText(result, 'Pieteikties neizdevās.');
    }
  });

  $('logout').addEventListener('click', async () => {
    await api('POST', '/staff/api/logout');
    csrf = '';
    showLogin('Jūs izgājāt no konsoles.');
  });

  // ---- own status and languages ----

  $('status').addEventListener('change', async () => {
    const result = await api('POST', here('/status'), { status: $('status').value });
    announce(result.status === 200 ? `Statuss: ${$('status').selectedOptions[0].textContent}` : 'Statuss nav nomainīts.');
  });

  function renderLanguages() {
    const box = $('language-boxes');
    clear(box);
    for (const code of Object.keys(languageNames)) {
      const id = `lang-${code}`;
      box.append(
        el(
          'span',
          { class: 'check' },
          el('input', { type: 'checkbox', id, value: code, checked: me.languages.includes(code) }),
          el('label', { for: id, text: languageName(code) }),
        ),
      );
    }
  }

  $('save-languages').addEventListener('click', async () => {
    const languages = [...$('language-boxes').querySelectorAll('input:checked')].map((i) => i.value);
    if (languages.length === 0) {
      announce('Izvēlieties vismaz vienu valodu.');
      return;
    }
    const result = await api('POST', '/staff/api/languages', { languages });
    if (result.status === 200) {
      me = result.data.me;
      announce('Valodas saglabātas.');
    } else announce(errorText(result, 'Valodas nav saglabātas.'));
  });

  // ---- the lists ----

  function deadlineCell(iso, overdue) {
    const cell = el('td', { class: overdue ? 'overdue' : undefined });
    cell.append(el('time', { datetime: iso, text: formatDay(iso) }));
    if (overdue) cell.append(' ', el('strong', { class: 'badge', text: 'Nokavēts' }));
    return cell;
  }

  // The waits in the queue keep counting between updates.
  window.setInterval(() => {
    for (const time of document.querySelectorAll('time[data-waited]')) time.textContent = waited(time.getAttribute('datetime'));
  }, 30000);

  function renderState(next) {
    state = next;
    stateReceivedAt = Date.now();
    me = Object.assign({}, me, next.me);
    $('me-name').textContent = next.me.name;
    $('me-role').textContent = next.me.roleHere && next.me.roleHere !== 'staff' ? `(${ROLES[next.me.roleHere]})` : '';
    const mayManage = next.me.roleHere === 'admin' || next.me.roleHere === 'installation-admin';
    if (mayManage && $('accounts').hidden) void loadAccounts();
    $('accounts').hidden = !mayManage;
    if (document.activeElement !== $('status')) $('status').value = next.me.status === 'away' ? 'away' : 'online';
    $('hours').textContent = next.hours.inHours
      ? 'Darba laiks: sarunas tiek piedāvātas darbiniekiem.'
      : `Ārpus darba laika${next.hours.nextOpening ? `; nākamreiz no ${formatTime(next.hours.nextOpening, true)}` : ''}. Iedzīvotāji var atstāt jautājumu.`;

    const queue = $('queue');
    clear(queue);
    for (const item of next.queue) {
      queue.append(
        el(
          'tr',
          { class: item.overdue ? 'overdue' : undefined },
          el('td', { text: String(item.position || '') }),
          el('td', { class: 'question', text: item.question || '—' }),
          el('td', { text: languageName(item.language) }),
          el('td', {}, el('time', { datetime: item.queuedAt, title: formatTime(item.queuedAt, true), 'data-waited': '', text: waited(item.queuedAt) })),
          el('td', { text: REASONS[item.reason] || item.reason }),
          deadlineCell(item.respondBy, item.overdue),
          el(
            'td',
            { class: 'row-actions' },
            el('button', { type: 'button', onclick: () => accept(item.ticketId), text: 'Pieņemt' }),
            ' ',
            el('button', { type: 'button', class: 'secondary', onclick: () => openTicket(item.ticketId), text: 'Skatīt' }),
          ),
        ),
      );
    }
    $('queue-table').hidden = next.queue.length === 0;
    $('queue-summary').textContent =
      next.queue.length === 0 ? 'Rindā neviena nav.' : `Gaida: ${next.queue.length}${next.overdue.queue ? `, nokavēti: ${next.overdue.queue}` : ''}.`;

    const mine = $('mine');
    clear(mine);
    for (const item of next.mine) {
      mine.append(
        el(
          'li',
          {},
          el('button', {
            type: 'button',
            class: 'link',
            onclick: () => openTicket(item.ticketId),
            text: `Saruna (${languageName(item.language)}, ${item.channel}) kopš ${formatTime(item.acceptedAt || item.queuedAt, false)}`,
          }),
        ),
      );
    }
    $('mine-empty').hidden = next.mine.length > 0;

    const cases = $('cases');
    clear(cases);
    for (const c of next.cases) {
      const contact = c.contact.email ? `e-pasts: ${c.contact.email}` : `zvanīt: ${c.contact.phone}`;
      cases.append(
        el(
          'tr',
          { class: c.overdue ? 'overdue' : c.needsPickUp ? 'attention' : undefined },
          el('th', { scope: 'row', text: c.id }),
          el('td', { text: languageName(c.language) }),
          el('td', {}, el('time', { datetime: c.createdAt, text: formatTime(c.createdAt, true) })),
          deadlineCell(c.pickUpBy, c.needsPickUp),
          deadlineCell(c.dueAt, c.overdue),
          el('td', { text: contact }),
          el('td', { text: MAIL[c.mail] || c.mail }),
          el('td', { class: c.reply === 'rejected' || c.reply === 'failing' ? 'attention' : undefined, text: c.reply ? MAIL[c.reply] || c.reply : '—' }),
          el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => openCase(c.id), text: 'Atvērt' })),
        ),
      );
    }
    $('cases-table').hidden = next.cases.length === 0;
    $('cases-summary').textContent =
      next.cases.length === 0 ? 'Atvērtu lietu nav.' : `Atvērtas: ${next.cases.length}${next.overdue.cases ? `, nokavētas: ${next.overdue.cases}` : ''}.`;

    if (detail && detail.kind === 'ticket') updateTicketButtons();
  }

  // ---- detail: a conversation or a case ----

  function lineNode(line) {
    const who = line.author === 'staff' && line.authorName ? `${AUTHORS.staff} (${line.authorName})` : AUTHORS[line.author] || line.author;
    return el(
      'li',
      { class: `line ${line.author}` },
      el('p', { class: 'meta' }, el('time', { datetime: line.at, text: formatTime(line.at, false) }), ` ${who}`),
      el('p', { class: 'text', text: line.text }),
    );
  }

  function renderLines(lines) {
    const list = $('transcript');
    clear(list);
    shownLines.clear();
    for (const line of lines) {
      shownLines.add(line.id);
      list.append(lineNode(line));
    }
  }

  function appendLine(line) {
    if (shownLines.has(line.id)) return;
    shownLines.add(line.id);
    $('transcript').append(lineNode(line));
    $('transcript').lastChild.scrollIntoView({ block: 'nearest' });
  }

  function renderNotes(notes) {
    const list = $('notes');
    clear(list);
    if (notes.length === 0) list.append(el('li', { text: 'Piezīmju nav.' }));
    for (const n of notes)
      list.append(
        el(
          'li',
          {},
          el('p', { class: 'meta' }, el('time', { datetime: n.at, text: formatTime(n.at, true) }), ` ${n.staffName}`),
          el('p', { class: 'text', text: n.text }),
        ),
      );
  }

  function facts(pairs) {
    const dl = $('detail-facts');
    clear(dl);
    for (const [k, v] of pairs) dl.append(el('dt', { text: k }), el('dd', { text: v }));
  }

  let currentTicket = null;

  function updateTicketButtons() {
    const t = currentTicket;
    const mineNow = t && t.state === 'with-staff' && t.staffId === me.id;
    $('reply-form').hidden = !mineNow;
    $('hand-back').hidden = !mineNow;
    $('close-ticket').hidden = !(mineNow || (t && t.state === 'queued'));
    $('accept-ticket').hidden = !(t && t.state === 'queued');
    hideCaseActions();
  }

  function hideCaseActions() {
    for (const id of ['close-case', 'case-reply-form', 'callback-form', 'mail-off']) $(id).hidden = true;
  }

  /** A mail's delivery as staff need to know it: when it went, or why not yet. */
  function deliveryText(m) {
    if (!m) return null;
    switch (m.status) {
      case 'sent':
        return `nosūtīts ${formatTime(m.sentAt, true)}`;
      case 'failing':
        return `neizdodas (mēģinājumi: ${m.attempts}${m.lastError ? `, ${m.lastError}` : ''}); nākamais mēģinājums ${formatTime(m.nextAttemptAt, true)}`;
      case 'rejected':
        return `e-pasta serveris atteica (${m.lastError || 'kļūda'}): pārbaudiet adresi vai sazinieties citādi`;
      default:
        return MAIL[m.status] || m.status;
    }
  }

  async function openTicket(id) {
    const result = await api('GET', here(`/tickets/${encodeURIComponent(id)}`));
    if (result.status !== 200) {
      announce(errorText(result, 'Saruna nav atrasta.'));
      return;
    }
    detail = { kind: 'ticket', id };
    currentTicket = result.data.ticket;
    const t = currentTicket;
    $('detail').hidden = false;
    $('detail-title').textContent = `Saruna: ${languageName(t.language)}, ${t.channel}`;
    facts([
      ['Stāvoklis', STATES[t.state] || t.state],
      ['Iemesls', REASONS[t.reason] || t.reason],
      ['Sākta', formatTime(t.createdAt, true)],
      ...(t.staffName ? [['Darbinieks', t.staffName]] : []),
    ]);
    renderLines(result.data.lines);
    renderNotes(result.data.notes);
    $('download-html').href = here(`/tickets/${encodeURIComponent(id)}/transcript?format=html`);
    $('download-text').href = here(`/tickets/${encodeURIComponent(id)}/transcript?format=text`);
    updateTicketButtons();
    status('');
    $('detail-title').focus();
  }

  async function openCase(id) {
    const result = await api('GET', here(`/cases/${encodeURIComponent(id)}`));
    if (result.status !== 200) {
      announce(errorText(result, 'Lieta nav atrasta.'));
      return;
    }
    detail = { kind: 'case', id };
    currentTicket = null;
    const c = result.data.case;
    $('detail').hidden = false;
    $('detail-title').textContent = `Lieta ${c.id}`;
    const mail = result.data.mail;
    const replyStatus = deliveryText(mail.reply);
    facts([
      ['Jautājums', c.question],
      ['Saziņa', c.contact.email ? `rakstiski uz e-pastu ${c.contact.email}` : `atzvanīt uz ${c.contact.phone}`],
      ['Valoda', languageName(c.language)],
      ['Saņemta', formatTime(c.createdAt, true)],
      ['Atbildēt līdz', formatDay(c.dueAt)],
      ['Stāvoklis', c.state === 'open' ? 'atvērta' : 'atbildēta'],
      ['E-pasts aģentūrai', deliveryText(mail.agency) || MAIL.none],
      ...(replyStatus ? [['Atbilde iedzīvotājam', replyStatus]] : []),
    ]);
    renderLines(result.data.lines);
    renderNotes(result.data.notes);
    $('download-html').href = here(`/cases/${encodeURIComponent(id)}/transcript?format=html`);
    $('download-text').href = here(`/cases/${encodeURIComponent(id)}/transcript?format=text`);
    $('reply-form').hidden = true;
    $('hand-back').hidden = true;
    $('close-ticket').hidden = true;
    $('accept-ticket').hidden = true;
    const open = c.state === 'open';
    const replying = mail.reply && (mail.reply.status === 'sending' || mail.reply.status === 'failing');
    $('close-case').hidden = !open;
    $('case-reply-form').hidden = !(open && c.contact.email && mail.configured && !replying);
    $('mail-off').hidden = !(open && c.contact.email && !mail.configured);
    $('callback-form').hidden = !(open && c.contact.phone);
    status('');
    $('detail-title').focus();
  }

  async function accept(id) {
    const result = await api('POST', here(`/tickets/${encodeURIComponent(id)}/accept`));
    if (result.status === 200) {
      announce('Saruna pieņemta.');
      await openTicket(id);
      $('reply').focus();
    } else announce(errorText(result, 'Sarunu nevarēja pieņemt.'));
  }

  $('accept-ticket').addEventListener('click', () => detail && accept(detail.id));

  async function sendReply() {
    const text = $('reply').value.trim();
    if (!detail || detail.kind !== 'ticket' || text === '') return;
    const result = await api('POST', here(`/tickets/${encodeURIComponent(detail.id)}/messages`), { text });
    if (result.status === 201) {
      $('reply').value = '';
      status('Nosūtīts.');
    } else status(errorText(result, 'Ziņa nav nosūtīta.'));
  }

  $('reply-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void sendReply();
  });
  $('reply').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void sendReply();
    }
  });

  async function finishTicket(action, done) {
    if (!detail || detail.kind !== 'ticket') return;
    const result = await api('POST', here(`/tickets/${encodeURIComponent(detail.id)}/${action}`));
    if (result.status === 200) {
      announce(done);
      await openTicket(detail.id);
    } else status(errorText(result, 'Neizdevās.'));
  }

  $('hand-back').addEventListener('click', () => finishTicket('hand-back', 'Saruna atdota botam.'));
  $('close-ticket').addEventListener('click', () => finishTicket('close', 'Saruna slēgta.'));

  async function answerCase(action, field, done) {
    const text = $(field).value.trim();
    if (!detail || detail.kind !== 'case' || text === '') return;
    const id = detail.id;
    const result = await api('POST', here(`/cases/${encodeURIComponent(id)}/${action}`), { text });
    if (result.status === 202) {
      $(field).value = '';
      announce(done);
      await openCase(id);
      status(done);
    } else status(errorText(result, 'Neizdevās.'));
  }

  $('case-reply-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void answerCase('reply', 'case-reply', 'Atbilde nodota sūtīšanai. Lieta būs atbildēta, kad e-pasta serveris to pieņems.');
  });
  $('callback-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void answerCase('callback', 'callback', 'Zvans atzīmēts, lieta atbildēta.');
  });

  $('close-case').addEventListener('click', async () => {
    if (!detail || detail.kind !== 'case') return;
    const result = await api('POST', here(`/cases/${encodeURIComponent(detail.id)}/close`));
    if (result.status === 200) {
      announce('Lieta atzīmēta kā atbildēta.');
      await openCase(detail.id);
    } else status(errorText(result, 'Neizdevās.'));
  });

  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('note').value.trim();
    if (!detail || text === '') return;
    const base = detail.kind === 'ticket' ? '/tickets/' : '/cases/';
    const result = await api('POST', here(`${base}${encodeURIComponent(detail.id)}/notes`), { text });
    if (result.status === 201) {
      $('note').value = '';
      status('Piezīme saglabāta.');
      await reloadNotes();
    } else status(errorText(result, 'Piezīme nav saglabāta.'));
  });

  async function reloadNotes() {
    if (!detail) return;
    const base = detail.kind === 'ticket' ? '/tickets/' : '/cases/';
    const result = await api('GET', here(`${base}${encodeURIComponent(detail.id)}`));
    if (result.status === 200) renderNotes(result.data.notes);
  }

  // ---- live updates ----

  function connect() {
    if (events) events.close();
    events = new EventSource(here('/events'));
    events.addEventListener('open', () => {
      $('connection').textContent = '';
    });
    events.addEventListener('error', () => {
      $('connection').textContent = 'Savienojums pārtrūka; atjaunoju…';
    });
    events.addEventListener('state', (e) => renderState(JSON.parse(e.data)));
    events.addEventListener('line', (e) => {
      const line = JSON.parse(e.data);
      if (detail && detail.kind === 'ticket' && detail.id === line.ticketId) appendLine(line);
      if (line.author === 'citizen') {
        const mine = state && state.mine.some((m) => m.ticketId === line.ticketId);
        if (mine && !(detail && detail.id === line.ticketId)) announce('Jauna iedzīvotāja ziņa citā sarunā.');
      }
    });
    events.addEventListener('ticket', (e) => {
      const change = JSON.parse(e.data);
      announce(`Saruna: ${STATES[change.state] || change.state}.`);
      if (detail && detail.kind === 'ticket' && detail.id === change.ticketId) void openTicket(change.ticketId);
    });
    events.addEventListener('notes', (e) => {
      const change = JSON.parse(e.data);
      if (detail && (detail.id === change.ticketId || detail.id === change.caseId)) void reloadNotes();
    });
  }

  // ---- the agency's staff (its administrators) ----

  function accountStatus(text) {
    $('account-status').textContent = text;
  }

  async function loadAccounts() {
    const result = await api('GET', here('/accounts'));
    if (result.status !== 200) return;
    const rows = $('account-rows');
    clear(rows);
    for (const a of result.data.accounts) {
      const actions = el('td', { class: 'row-actions' });
      if (!a.installationAdmin) {
        const select = el(
          'select',
          { 'aria-label': `Loma: ${a.name}` },
          ...AGENCY_ROLES.map((role) => el('option', { value: role, text: ROLES[role], selected: a.roleHere === role })),
          el('option', { value: 'none', text: 'nestrādā šajā iestādē' }),
        );
        actions.append(
          select,
          ' ',
          el('button', { type: 'button', class: 'secondary', onclick: () => setRole(a.login, select.value), text: 'Saglabāt lomu' }),
          ' ',
          el('button', {
            type: 'button',
            class: 'secondary',
            onclick: () => accountAction(a.login, a.disabled ? 'enable' : 'disable'),
            text: a.disabled ? 'Atjaunot kontu' : 'Bloķēt kontu',
          }),
        );
      }
      rows.append(
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: a.name }),
          el('td', { text: a.login }),
          el('td', { text: a.languages.map(languageName).join(', ') }),
          el('td', { text: ROLES[a.roleHere] || '—' }),
          el('td', { text: a.installationAdmin ? 'visas' : a.agencies.map(agencyLabel).join('; ') || '—' }),
          el('td', { text: a.disabled ? 'bloķēts' : 'aktīvs' }),
          actions,
        ),
      );
    }
    $('accounts-summary').textContent = `Darbinieki: ${result.data.accounts.length}.`;
  }

  /** "Pilsētas arhīvs (iestādes administrators)": an agency of an account, as its administrator may see it. */
  function agencyLabel(membership) {
    const known = agencies.find((a) => a.id === membership.agency);
    return `${known ? known.name : membership.agency} (${ROLES[membership.role] || membership.role})`;
  }

  async function setRole(login, role) {
    const result = await api('POST', here(`/accounts/${encodeURIComponent(login)}/role`), { role });
    accountStatus(result.status === 200 ? `Loma saglabāta: ${login}.` : errorText(result, 'Lomu nevarēja mainīt.'));
    await loadAccounts();
  }

  async function accountAction(login, action) {
    const result = await api('POST', here(`/accounts/${encodeURIComponent(login)}/${action}`));
    accountStatus(result.status === 200 ? (action === 'disable' ? `Konts bloķēts: ${login}.` : `Konts atjaunots: ${login}.`) : errorText(result, 'Neizdevās.'));
    await loadAccounts();
  }

  $('account-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      name: $('account-name').value.trim(),
      login: $('account-login').value.trim(),
      languages: $('account-languages')
        .value.split(',')
        .map((l) => l.trim())
        .filter(Boolean),
      role: $('account-role').value,
      password: $('account-password').value,
    };
    const result = await api('POST', here('/accounts'), body);
    $('account-password').value = '';
    if (result.status === 201) {
      for (const id of ['account-name', 'account-login']) $(id).value = '';
      accountStatus(`Darbinieks pievienots: ${body.login}.`);
      await loadAccounts();
    } else accountStatus(errorText(result, 'Darbinieku nevarēja pievienot.'));
  });

  $('member-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const login = $('member-login').value.trim().toLowerCase();
    if (login === '') return accountStatus('Ievadiet lietotājvārdu.');
    await setRole(login, $('member-role').value);
    $('member-login').value = '';
  });

  // ---- the agency ----

  /** Opens the console of one of the member's agencies: its state, its stream, its links. */
  function chooseAgency(id) {
    agency = id;
    const chosen = agencies.find((a) => a.id === id);
    $('agency-name').textContent = chosen ? chosen.name : id;
    $('agency').value = id;
    document.title = `Padoms — ${chosen ? chosen.name : id} — darbinieku konsole`;
    $('nav-console').href = `/staff?agency=${encodeURIComponent(id)}`;
    $('nav-reports').href = `/staff/reports?agency=${encodeURIComponent(id)}`;
    $('nav-studio').href = `/staff/studio?agency=${encodeURIComponent(id)}`;
    window.history.replaceState(null, '', `/staff?agency=${encodeURIComponent(id)}`);
    detail = null;
    currentTicket = null;
    $('detail').hidden = true;
    $('accounts').hidden = true;
    state = null;
    connect();
    void loadReminders(id);
  }

  // ---- review reminders: the agency's entries past their review date ----

  async function loadReminders(id) {
    const box = $('review-reminder');
    const result = await api('GET', `/staff/api/agencies/${encodeURIComponent(id)}/studio/reminders`);
    if (id !== agency) return; // another agency was chosen meanwhile
    clear(box);
    const overdue = result.status === 200 ? result.data.overdue : 0;
    box.hidden = overdue === 0;
    if (overdue === 0) return;
    const entries = overdue % 10 === 1 && overdue % 100 !== 11 ? 'ierakstam' : 'ierakstiem';
    box.append(
      `Zināšanu bāzē ${overdue} ${entries} nokavēta pārskatīšana. `,
      el('a', { href: `/staff/studio?agency=${encodeURIComponent(id)}&overdue=1`, text: 'Skatīt ierakstus, kas jāpārskata' }),
    );
    // The member's own: entries whose owner names them.
    const yours = result.data.yours || [];
    if (yours.length > 0) {
      box.append(el('span', { text: ` Jūs esat atbildīgs par ${yours.length}: ${yours.map((e) => e.title).join('; ')}.` }));
    }
  }

  $('agency').addEventListener('change', () => {
    chooseAgency($('agency').value);
    announce(`Iestāde: ${$('agency').selectedOptions[0].textContent}.`);
  });

  async function start() {
    const result = await api('GET', '/staff/api/me');
    if (result.status !== 200) {
      showLogin('');
      return;
    }
    csrf = result.data.csrfToken;
    me = result.data.me;
    languageNames = result.data.languageNames || {};
    agencies = result.data.agencies || [];
    if (agencies.length === 0) {
      showLogin('Jūsu konts nestrādā nevienā iestādē. Vērsieties pie iestādes administratora.');
      return;
    }
    const select = $('agency');
    clear(select);
    for (const a of agencies) select.append(el('option', { value: a.id, text: a.name }));
    $('agency-choice').hidden = agencies.length < 2;
    $('agency-single').hidden = agencies.length > 1;
    const asked = new URLSearchParams(window.location.search).get('agency');
    $('login-view').hidden = true;
    $('console-view').hidden = false;
    renderLanguages();
    chooseAgency(agencies.some((a) => a.id === asked) ? asked : agencies[0].id);
    $('main').focus();
  }

  void start();
})();
