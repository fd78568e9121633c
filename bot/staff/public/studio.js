// The knowledge studio in the browser: the chosen agency's entries (searched, overdue reviews
// flagged, answers and "did it help" of the last 30 days) from /staff/api/agencies/:agency/studio/
// entries, and "how would the bot answer this?" (a POST with the CSRF header: the text stays out of
// URLs). The agency, the search and the overdue filter are in the address (?agency=&q=&overdue=1),
// never the preview's text. Every value goes in as textContent.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, clear } = window.PadomsDom;

  const integer = new Intl.NumberFormat('lv-LV');
  const percent = new Intl.NumberFormat('lv-LV', { style: 'percent', maximumFractionDigits: 0 });
  const score = new Intl.NumberFormat('lv-LV', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const day = new Intl.DateTimeFormat('lv-LV', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });

  const DECISIONS = {
    answer: 'atbildētu ar ierakstu',
    smalltalk: 'atbildētu ar pieklājības frāzi',
    clarify: 'uzdotu precizējošu jautājumu',
    refer: 'pāradresētu citai iestādei',
    fallback: 'nesaprastu jautājumu (piedāvātu atstāt jautājumu vai darbinieku)',
    handover: 'piedāvātu darbinieku',
    conduct: 'brīdinātu par aizskarošu saziņu',
    protected: 'atteiktu: aizsargāta informācija',
    complaint: 'jautātu, vai sūdzība ir par pakalpojumu vai lēmumu',
    suggestion: 'aicinātu atstāt ierosinājumu',
    'delete-conversation': 'piedāvātu dzēst sarunu',
    language: 'teiktu, ka šajā valodā nekonsultē',
    'switch-language': 'pārietu uz citu valodu',
  };
  const KINDS = { entry: 'ieraksts', authority: 'cita iestāde', intent: 'iebūvēts nolūks' };

  let csrf = '';
  /** The agency the page is for: one the member serves (the server checks it again). */
  let agency = null;
  let request = 0;

  function formatDay(iso) {
    return day.format(new Date(`${iso}T00:00:00Z`));
  }

  function status(text) {
    $('studio-status').textContent = text;
  }

  function sessionEnded() {
    const box = $('studio-status');
    clear(box);
    box.append('Sesija beigusies. ', el('a', { href: '/staff', text: 'Pieslēdzieties vēlreiz' }), '.');
  }

  function here(path) {
    return `/staff/api/agencies/${encodeURIComponent(agency)}${path}`;
  }

  /** Latvian agreement with a number: 1, 21, 31 … take the singular; 11 and the rest the plural. */
  function counted(n, singular, plural) {
    return `${integer.format(n)} ${n % 10 === 1 && n % 100 !== 11 ? singular : plural}`;
  }

  // ---- the entries ----

  const STATUSES = { published: 'publicēts', draft: 'melnraksts', new: 'jauns (melnraksts)', 'to-be-removed': 'tiks dzēsts' };

  function entryRow(e) {
    const statusCell = el('td', { class: e.overdue ? 'overdue' : undefined }, STATUSES[e.status] || e.status);
    // The editor (studio-editor.js) adds who changed it last, and opens the entry from its title.
    if (window.PadomsStudioEditor) window.PadomsStudioEditor.decorate(statusCell, e);
    if (e.overdue) statusCell.append(' ', el('strong', { class: 'badge', text: 'Nokavēta pārskatīšana' }));
    const reviewed = el(
      'td',
      { class: e.overdue ? 'overdue' : undefined },
      el('time', { datetime: e.reviewed, text: formatDay(e.reviewed) }),
      el('span', { class: 'hint' }, ' (līdz ', el('time', { datetime: e.reviewDueBy, text: formatDay(e.reviewDueBy) }), ')'),
    );
    const answers = e.helpful.yes + e.helpful.no;
    return el(
      'tr',
      { 'data-entry': e.id },
      el(
        'th',
        { scope: 'row' },
        el('button', { type: 'button', class: 'link title', 'data-open': e.id, text: e.title, 'aria-label': `Atvērt: ${e.title}` }),
        el('code', { text: e.id }),
      ),
      el('td', { text: e.owner }),
      reviewed,
      statusCell,
      el('td', { class: 'number', text: integer.format(e.answered) }),
      el('td', {
        class: 'number',
        text: e.helpedRatio === null ? '–' : `${percent.format(e.helpedRatio)} (${integer.format(e.helpful.yes)} no ${integer.format(answers)})`,
      }),
    );
  }

  async function loadEntries() {
    const mine = ++request;
    const params = new URLSearchParams();
    const q = $('q').value.trim();
    if (q !== '') params.set('q', q);
    if ($('overdue').checked) params.set('overdue', '1');
    const query = params.toString();
    let res;
    let data = null;
    try {
      res = await fetch(here(`/studio/entries${query ? `?${query}` : ''}`), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      data = await res.json();
    } catch {
      if (mine === request) status('Ierakstus neizdevās ielādēt. Pārbaudiet savienojumu un mēģiniet vēlreiz.');
      return;
    }
    if (mine !== request) return; // a newer search is on its way
    if (res.status === 401) return sessionEnded();
    if (res.status !== 200) {
      status((data && data.error && data.error.message) || 'Ierakstus neizdevās ielādēt.');
      return;
    }
    status('');
    const rows = $('entries');
    clear(rows);
    for (const e of data.entries) rows.append(entryRow(e));
    $('entries-table').hidden = data.entries.length === 0;
    const overdue = data.overdue === 0 ? 'nevienam nav nokavēta pārskatīšana' : `${counted(data.overdue, 'ierakstam', 'ierakstiem')} nokavēta pārskatīšana`;
    const found =
      q !== '' || $('overdue').checked
        ? `Atrasti: ${integer.format(data.entries.length)} no ${integer.format(data.total)}.`
        : `Ieraksti: ${integer.format(data.total)}.`;
    $('entries-summary').textContent = `${found} ${overdue[0].toUpperCase()}${overdue.slice(1)} (ik pēc ${integer.format(data.reviewIntervalDays)} dienām).`;
    document.dispatchEvent(new CustomEvent('studio:entries', { detail: data }));
  }

  function remember() {
    const params = new URLSearchParams({ agency });
    const q = $('q').value.trim();
    if (q !== '') params.set('q', q);
    if ($('overdue').checked) params.set('overdue', '1');
    window.history.replaceState(null, '', `/staff/studio?${params}`);
  }

  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    remember();
    void loadEntries();
  });
  $('overdue').addEventListener('change', () => {
    remember();
    void loadEntries();
  });

  // ---- the preview ----

  function entryName(id, title) {
    return title && title !== id ? el('span', {}, el('span', { class: 'title', text: title }), el('code', { text: id })) : el('code', { text: id });
  }

  function renderPreview(p) {
    const facts = $('decision');
    clear(facts);
    const titles = Object.fromEntries(p.explain.closest.map((c) => [c.id, c.title]));
    const rows = [['Bots', DECISIONS[p.decision.kind] || p.decision.kind]];
    if (p.decision.entryId) rows.push(['Ieraksts', entryName(p.decision.entryId, titles[p.decision.entryId])]);
    if (p.decision.authorityId) rows.push(['Iestāde', entryName(p.decision.authorityId, titles[p.decision.authorityId])]);
    if (p.decision.candidates.length) rows.push(['Piedāvātu izvēlēties', p.decision.candidates.join(', ')]);
    if (p.decision.referrals.length) rows.push(['Nosauktu arī', p.decision.referrals.join(', ')]);
    rows.push(['Valoda', p.language === p.detected ? p.language : `${p.language} (atpazīta: ${p.detected})`]);
    if (p.upset) rows.push(['Tonis', 'iedzīvotājs šķiet satraukts: bots vispirms atvainotos']);
    if (p.redacted) rows.push(['Personas dati', 'bots tos aizklātu pirms lēmuma; priekšskatījums arī']);
    for (const [term, value] of rows) facts.append(el('dt', { text: term }), el('dd', {}, value));

    const terms = p.explain.terms.length ? p.explain.terms.join(' ') : '—';
    $('terms').textContent = `Vārdi, pēc kuriem meklēja: ${terms}${p.explain.unknown.length ? `; zināšanās nav: ${p.explain.unknown.join(' ')}` : ''}.`;
    const closest = $('closest');
    clear(closest);
    if (p.explain.closest.length === 0) closest.append(el('tr', {}, el('td', { colspan: '5', text: 'Neviens ieraksts nav tuvs.' })));
    for (const c of p.explain.closest)
      closest.append(
        el(
          'tr',
          { 'data-candidate': c.id },
          el('th', { scope: 'row' }, entryName(c.id, c.title)),
          el('td', { text: KINDS[c.kind] || c.kind }),
          el('td', { class: 'number', text: score.format(c.score) }),
          el('td', { class: 'number', text: score.format(c.confidence) }),
          el('td', { text: c.matched.join(' ') || '—' }),
        ),
      );
    $('preview-result').hidden = false;
  }

  async function runPreview() {
    const text = $('preview-text').value.trim();
    const error = $('preview-error');
    if (text === '') {
      error.textContent = 'Ierakstiet jautājumu.';
      $('preview-text').setAttribute('aria-invalid', 'true');
      $('preview-text').focus();
      return;
    }
    error.textContent = '';
    $('preview-text').removeAttribute('aria-invalid');
    let res;
    let data = null;
    try {
      res = await fetch(here('/studio/preview'), {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        credentials: 'same-origin',
        body: JSON.stringify({ text, drafts: $('preview-drafts').checked }),
      });
      data = await res.json();
    } catch {
      error.textContent = 'Neizdevās. Pārbaudiet savienojumu un mēģiniet vēlreiz.';
      return;
    }
    if (res.status === 401) return sessionEnded();
    if (res.status !== 200) {
      error.textContent = (data && data.error && data.error.message) || 'Neizdevās.';
      return;
    }
    renderPreview(data);
    $('decision-title').focus();
  }

  $('preview-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void runPreview();
  });
  $('preview-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void runPreview();
    }
  });

  // ---- the agency ----

  function chooseAgency(chosen) {
    agency = chosen.id;
    $('agency').value = chosen.id;
    $('agency-title').textContent = ` — ${chosen.name}`;
    document.title = `Zināšanas — ${chosen.name} — Padoms darbinieku konsole`;
    $('nav-console').href = `/staff?agency=${encodeURIComponent(chosen.id)}`;
    $('nav-reports').href = `/staff/reports?agency=${encodeURIComponent(chosen.id)}`;
    $('nav-studio').href = `/staff/studio?agency=${encodeURIComponent(chosen.id)}`;
    $('preview-result').hidden = true;
    // The page's other parts (studio-editor.js, studio-inbox.js) follow the agency chosen here.
    document.dispatchEvent(new CustomEvent('studio:agency', { detail: { agency: chosen.id, id: chosen.id, name: chosen.name, role: chosen.role, csrf } }));
  }

  async function start() {
    const params = new URLSearchParams(window.location.search);
    let me;
    try {
      const res = await fetch('/staff/api/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401) return sessionEnded();
      me = await res.json();
    } catch {
      status('Lapu neizdevās ielādēt. Pārbaudiet savienojumu un mēģiniet vēlreiz.');
      return;
    }
    csrf = me.csrfToken;
    const agencies = me.agencies || [];
    if (agencies.length === 0) {
      status('Jūsu konts nestrādā nevienā iestādē.');
      return;
    }
    const select = $('agency');
    for (const a of agencies) select.append(el('option', { value: a.id, text: a.name }));
    $('agency-choice').hidden = agencies.length < 2;
    chooseAgency(agencies.find((a) => a.id === params.get('agency')) || agencies[0]);
    select.addEventListener('change', () => {
      chooseAgency(agencies.find((a) => a.id === select.value) || agencies[0]);
      remember();
      void loadEntries();
    });
    $('q').value = params.get('q') || '';
    $('overdue').checked = params.get('overdue') === '1';
    void loadEntries();
  }

  // What the editor (studio-editor.js) asks of the page: the list again after a change.
  document.addEventListener('studio:reload', () => void loadEntries());

  void start();
})();
