// The knowledge studio's unanswered inbox and "what a change would move", in the browser. The inbox
// lists the groups of /staff/api/agencies/:agency/studio/inbox (counts, reasons, examples, the
// closest entry); an editor acts on a group with one of four actions (a POST with the CSRF header):
// add a question as a phrasing of an entry (the closest chosen first), start a new entry from it,
// mark it as another authority's, or dismiss it. The impact view (window.PadomsStudioImpact.run,
// for the editor to call with its unsaved drafts) lists the questions whose answer would change.
// It follows the agency studio.js chooses (the `studio:agency` event). Every value goes in as text.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, clear } = window.PadomsDom;
  const integer = new Intl.NumberFormat('lv-LV');
  const when = new Intl.DateTimeFormat('lv-LV', { day: '2-digit', month: '2-digit', year: 'numeric' });

  const REASONS = { fallback: 'nesaprasts', 'none-of-these': '„neviens no šiem”', 'not-helpful': '„nepalīdzēja”' };
  const ACTIONS = {
    phrasing: 'Pievienot kā formulējumu ierakstam',
    'new-entry': 'Sākt jaunu ierakstu',
    authority: 'Citas iestādes jautājums',
    dismiss: 'Noraidīt',
  };
  const DONE = {
    phrasing: 'Formulējums pievienots ieraksta melnrakstam.',
    'new-entry': 'Jauna ieraksta melnraksts sākts.',
    authority: 'Atzīmēts kā citas iestādes jautājums.',
    dismiss: 'Grupa noraidīta.',
  };
  const DECISIONS = {
    answer: 'atbilde',
    smalltalk: 'pieklājības frāze',
    clarify: 'precizējošs jautājums',
    refer: 'pāradresācija',
    fallback: 'nesaprasts',
    handover: 'darbinieks',
    conduct: 'brīdinājums',
    protected: 'aizsargāta informācija',
    complaint: 'sūdzība',
    suggestion: 'ierosinājums',
    'delete-conversation': 'sarunas dzēšana',
    language: 'cita valoda',
    'switch-language': 'valodas maiņa',
  };

  let agency = null;
  let csrf = '';
  let days = 30;
  let request = 0;

  const here = (path) => `/staff/api/agencies/${encodeURIComponent(agency)}${path}`;
  const counted = (n, singular, plural) => `${integer.format(n)} ${n % 10 === 1 && n % 100 !== 11 ? singular : plural}`;

  async function post(path, body) {
    const res = await fetch(here(path), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    return { res, data };
  }

  // ---- the inbox ----

  function reasonsText(reasons) {
    return Object.entries(reasons)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${REASONS[r] || r} ${integer.format(n)}`)
      .join(', ');
  }

  function option(value, text, selected) {
    return el('option', { value, text, selected: selected || undefined });
  }

  function groupItem(g, index, inbox) {
    const id = `g${index}`;
    const heading = el(
      'h4',
      { id: `${id}-title`, tabindex: '-1' },
      `${counted(g.count, 'jautājums', 'jautājumi')}: „${g.examples[0] ? g.examples[0].text : ''}”`,
    );
    const examples = el(
      'ul',
      { class: 'examples', 'aria-label': 'Piemēri' },
      ...g.examples.map((e) =>
        el('li', {}, el('q', { text: e.text }), ' ', el('span', { class: 'hint', text: `(${e.language}, ${when.format(new Date(e.at))})` })),
      ),
    );
    const facts = el(
      'p',
      { class: 'hint' },
      `Iemesli: ${reasonsText(g.reasons)}. Tuvākais ieraksts: `,
      g.closest ? el('span', {}, el('span', { text: g.closest.title }), ' ', el('code', { text: g.closest.id })) : 'nav',
      '.',
    );
    const earlier = g.earlier.length
      ? el(
          'p',
          { class: 'hint' },
          `Agrāk apstrādāta: ${g.earlier.map((e) => `${ACTIONS[e.action] || e.action} (${e.staffName}, ${when.format(new Date(e.at))})`).join('; ')}.`,
        )
      : null;
    const item = el('li', { class: 'group', 'aria-labelledby': `${id}-title`, 'data-key': g.key }, heading, examples, facts, earlier);
    if (inbox.canAct) item.append(actionForm(g, id, inbox, item));
    return item;
  }

  function actionForm(g, id, inbox, item) {
    const radios = Object.entries(ACTIONS).map(([action, label], i) =>
      el(
        'p',
        { class: 'check' },
        el('input', { type: 'radio', name: `${id}-action`, id: `${id}-do-${action}`, value: action, checked: i === 0 || undefined }),
        el('label', { for: `${id}-do-${action}`, text: label }),
      ),
    );
    const entrySelect = el(
      'select',
      { id: `${id}-entry` },
      ...inbox.entries.map((e) => option(e.id, `${e.title} (${e.id})`, g.closest && g.closest.id === e.id)),
    );
    const exampleSelect = el('select', { id: `${id}-example` }, ...g.examples.map((e, i) => option(String(i), e.text, i === 0)));
    const authoritySelect = el('select', { id: `${id}-authority` }, ...inbox.authorities.map((a) => option(a.id, a.name)));
    const error = el('p', { class: 'error', role: 'alert' });
    const button = el('button', { type: 'submit', text: 'Apstiprināt' });
    const form = el(
      'form',
      { class: 'inbox-action', novalidate: true },
      el('fieldset', {}, el('legend', { text: 'Ko darīt ar šo grupu?' }), ...radios),
      el('p', {}, el('label', { for: `${id}-example`, text: 'Jautājums (formulējumam vai jaunam ierakstam)' }), exampleSelect),
      el('p', {}, el('label', { for: `${id}-entry`, text: 'Ieraksts, kam pievienot formulējumu' }), entrySelect),
      el('p', {}, el('label', { for: `${id}-authority`, text: 'Iestāde' }), authoritySelect),
      el('p', {}, button),
      error,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const action = form.querySelector(`input[name="${id}-action"]:checked`).value;
      const body = { key: g.key, through: g.through, days, action };
      if (action === 'phrasing') body.entryId = entrySelect.value;
      if (action === 'phrasing' || action === 'new-entry') body.example = Number(exampleSelect.value);
      if (action === 'authority') body.authorityId = authoritySelect.value;
      button.disabled = true;
      error.textContent = '';
      try {
        const { res, data } = await post('/studio/inbox/handle', body);
        if (res.status === 401) return void (error.textContent = 'Sesija beigusies: pieslēdzieties vēlreiz.');
        if (!res.ok) return void (error.textContent = (data.error && data.error.message) || 'Neizdevās.');
        // The group leaves the inbox; focus goes to the next group, or to the summary.
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        $('inbox-summary').textContent = `${DONE[action]} ${counted(data.handled.questions, 'jautājums', 'jautājumi')} vairs nav iesūtnē.`;
        const target = next ? next.querySelector('h4') : $('inbox-summary');
        if (target) {
          if (!next) target.setAttribute('tabindex', '-1');
          target.focus();
        }
      } catch {
        error.textContent = 'Neizdevās sazināties ar serveri.';
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function handledSummary(inbox) {
    const box = $('inbox-handled');
    clear(box);
    if (inbox.handled.byAuthority.length === 0) return;
    box.append(
      el('h4', { text: 'Citu iestāžu jautājumi šajā laikā' }),
      el(
        'ul',
        {},
        ...inbox.handled.byAuthority.map((a) =>
          el('li', {}, `${a.name}: ${counted(a.questions, 'jautājums', 'jautājumi')} (${counted(a.groups, 'grupa', 'grupas')})`),
        ),
      ),
    );
  }

  async function loadInbox() {
    if (!agency) return;
    const mine = ++request;
    $('inbox-error').textContent = '';
    try {
      const res = await fetch(here(`/studio/inbox?days=${encodeURIComponent(days)}`), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (mine !== request) return;
      const inbox = await res.json();
      if (!res.ok) return void ($('inbox-error').textContent = (inbox.error && inbox.error.message) || 'Iesūtni neizdevās ielādēt.');
      const list = $('inbox-groups');
      clear(list);
      inbox.groups.forEach((g, i) => list.append(groupItem(g, i, inbox)));
      $('inbox-summary').textContent =
        inbox.groups.length === 0
          ? `Pēdējās ${integer.format(inbox.days)} dienās neatbildētu jautājumu nav.`
          : `${counted(inbox.open, 'neatbildēts jautājums', 'neatbildēti jautājumi')} ${counted(inbox.groups.length, 'grupā', 'grupās')}.`;
      handledSummary(inbox);
      $('inbox').hidden = false;
      $('impact').hidden = !inbox.canAct;
    } catch {
      if (mine === request) $('inbox-error').textContent = 'Iesūtni neizdevās ielādēt.';
    }
  }

  // ---- what a change would move ----

  function decisionText(d, titles) {
    const name = (id) => (id === null ? '' : titles[id] ? `${titles[id]} (${id})` : id);
    const kind = DECISIONS[d.kind] || d.kind;
    if (d.entryId) return `${kind}: ${name(d.entryId)}`;
    if (d.authorityId) return `${kind}: ${name(d.authorityId)}`;
    if (d.candidates.length) return `${kind}: ${d.candidates.map(name).join(', ')}`;
    return kind;
  }

  function sourceText(sources) {
    return sources
      .map((s) =>
        s.kind === 'phrasing' ? `formulējums (${s.entryId}${s.draft ? ', melnraksts' : ''})` : s.kind === 'labelled' ? `kopa ${s.set}` : 'nesens jautājums',
      )
      .join('; ');
  }

  /** Decides the agency's stored questions again with its drafts and `drafts` (the editor's unsaved ones), and shows what would change. */
  async function runImpact(drafts) {
    const summary = $('impact-summary');
    $('impact').hidden = false;
    summary.textContent = 'Pārbauda…';
    const { res, data } = await post('/studio/impact', { drafts: drafts || [] });
    if (!res.ok) {
      summary.textContent = (data.error && data.error.message) || 'Neizdevās.';
      return undefined;
    }
    const rows = $('impact-rows');
    clear(rows);
    for (const c of data.changes) {
      rows.append(
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, el('q', { text: c.text })),
          el('td', { text: decisionText(c.before, data.titles) }),
          el('td', { text: decisionText(c.after, data.titles) }),
          el('td', { text: sourceText(c.sources) }),
        ),
      );
    }
    $('impact-table').hidden = data.changes.length === 0;
    const invalid = data.invalidDrafts.length ? ` Melnraksti, kas vēl neder (netika ņemti vērā): ${data.invalidDrafts.join(', ')}.` : '';
    summary.textContent = `${counted(data.questions, 'jautājums', 'jautājumi')}, ${integer.format(data.decided)} izlemti vēlreiz; atbilde mainītos ${counted(data.changes.length, 'jautājumam', 'jautājumiem')}.${invalid}`;
    $('impact-title').focus();
    return data;
  }

  window.PadomsStudioImpact = Object.freeze({ run: runImpact });

  document.addEventListener('DOMContentLoaded', () => {
    $('inbox-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const n = Number($('inbox-days').value);
      if (!Number.isInteger(n) || n < 1 || n > 366) {
        $('inbox-error').textContent = 'Dienas: vesels skaitlis no 1 līdz 366.';
        return;
      }
      days = n;
      void loadInbox();
    });
    $('impact-run').addEventListener('click', () => void runImpact([]));
  });

  document.addEventListener('studio:agency', (event) => {
    agency = event.detail.id;
    csrf = event.detail.csrf;
    void loadInbox();
  });
})();
