// The knowledge studio's editor in the browser (loaded after studio.js): an entry opened from the
// list, its fields per language (phrasings, answer, keywords), links, sources, owner, review date,
// follow-ups chosen from the agency's entries and "offer a person"; kb:check's problems beside the
// fields they name; save and discard the draft, mark the entry for removal, preview against the
// drafts, publish (publishers only), and the versions with a diff and rollback. Every state change
// is a request with the CSRF header; every value goes in as textContent or a form value.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, clear } = window.PadomsDom;

  const LANGUAGES = { lv: 'latviešu', en: 'angļu', ru: 'krievu', uk: 'ukraiņu', de: 'vācu', lt: 'lietuviešu', et: 'igauņu', pl: 'poļu', fr: 'franču' };
  const RANK = { staff: 0, editor: 1, publisher: 2, admin: 3, 'installation-admin': 3 };
  const ACTIONS = {
    'draft-saved': 'saglabāja melnrakstu',
    'draft-discarded': 'atmeta melnrakstu',
    published: 'publicēja',
    'rolled-back': 'atjaunoja versiju',
    seeded: 'no failiem',
  };
  const when = new Intl.DateTimeFormat('lv-LV', { dateStyle: 'short', timeStyle: 'short' });

  /** The page's agency, the member's role in it and the session's CSRF token (from studio.js). */
  let page = { agency: null, role: 'staff', csrf: '' };
  /** The entries of the agency as last listed: follow-ups are chosen from them. */
  let entries = [];
  /** The entry open: its id, whether it is new, the view the server sent. */
  let open = null;

  const mayEdit = () => (RANK[page.role] ?? 0) >= RANK.editor;
  const mayPublish = () => (RANK[page.role] ?? 0) >= RANK.publisher;
  const here = (path) => `/staff/api/agencies/${encodeURIComponent(page.agency)}${path}`;
  const entryPath = (id, rest = '') => here(`/studio/entries/${encodeURIComponent(id)}${rest}`);
  const lines = (text) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);

  async function call(method, path, body) {
    const changes = method !== 'GET';
    try {
      const res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', ...(changes ? { 'Content-Type': 'application/json', 'X-CSRF-Token': page.csrf } : {}) },
        ...(changes ? { body: JSON.stringify(body || {}) } : {}),
      });
      return { status: res.status, data: await res.json().catch(() => null) };
    } catch {
      return { status: 0, data: null };
    }
  }
  const messageOf = (result, fallback) =>
    result.status === 0
      ? 'Neizdevās. Pārbaudiet savienojumu un mēģiniet vēlreiz.'
      : (result.data && result.data.error && result.data.error.message) || fallback;

  function editorStatus(text) {
    $('editor-status').textContent = text;
  }

  // ---- the form ----

  /** A fieldset per language: its phrasings, its answer, its keywords. */
  function languageFields(languages) {
    const box = $('editor-languages');
    clear(box);
    for (const lang of languages) {
      const name = `${LANGUAGES[lang] || lang} (${lang})`;
      const area = (field, label, rows, hint) =>
        el(
          'p',
          {},
          el('label', { for: `editor-${field}-${lang}`, text: label }),
          el('textarea', {
            id: `editor-${field}-${lang}`,
            rows: String(rows),
            'aria-describedby': `err-${field}.${lang}${hint ? ` hint-${field}-${lang}` : ''}`,
          }),
          hint ? el('span', { id: `hint-${field}-${lang}`, class: 'hint', text: hint }) : null,
          el('span', { id: `err-${field}.${lang}`, class: 'error' }),
        );
      box.append(
        el(
          'fieldset',
          { 'data-language': lang },
          el('legend', { text: `Valoda: ${name}` }),
          area('questions', `Jautājumi, kā tos uzdod iedzīvotāji — ${name}`, 3, 'Katrs savā rindā.'),
          area('answer', `Atbilde — ${name}`, 4),
          area('keywords', `Atslēgvārdi — ${name}`, 2, 'Katrs savā rindā; nav obligāti.'),
        ),
      );
    }
  }

  function linkRow(languages, link) {
    const n = $('editor-links').children.length + 1;
    const row = el('div', { class: 'link-row', 'data-link': '' });
    row.append(
      el('label', { for: `link-url-${n}`, text: `Saite ${n}: URL` }),
      el('input', { id: `link-url-${n}`, type: 'url', class: 'link-url', value: (link && link.url) || '' }),
    );
    for (const lang of languages)
      row.append(
        el('label', { for: `link-title-${n}-${lang}`, text: `Saite ${n}: nosaukums (${lang})` }),
        el('input', { id: `link-title-${n}-${lang}`, class: 'link-title', 'data-language': lang, value: (link && link.title && link.title[lang]) || '' }),
      );
    row.append(el('button', { type: 'button', class: 'secondary', onclick: () => row.remove(), text: `Noņemt saiti ${n}` }));
    $('editor-links').append(row);
  }

  function followUpChoices(selected, self) {
    const select = $('editor-followups');
    clear(select);
    for (const e of entries) if (e.id !== self) select.append(el('option', { value: e.id, text: `${e.title} (${e.id})`, selected: selected.includes(e.id) }));
  }

  function fill(entry, languages) {
    languageFields(languages);
    $('editor-kind').value = entry.kind || 'topic';
    for (const lang of languages) {
      $(`editor-questions-${lang}`).value = ((entry.questions && entry.questions[lang]) || []).join('\n');
      $(`editor-answer-${lang}`).value = (entry.answer && entry.answer[lang]) || '';
      $(`editor-keywords-${lang}`).value = ((entry.keywords && entry.keywords[lang]) || []).join('\n');
    }
    clear($('editor-links'));
    for (const link of entry.links || []) linkRow(languages, link);
    $('editor-sources').value = (entry.sources || []).join('\n');
    $('editor-owner').value = entry.owner || '';
    $('editor-reviewed').value = entry.reviewed || '';
    followUpChoices(entry.followUps || [], entry.id);
    $('editor-offer-staff').checked = entry.offerStaff === true;
  }

  /** The entry as the form has it; fields left empty are left out, for kb:check to name. */
  function collect() {
    const languages = open.languages;
    const perLanguage = (field, many) => {
      const out = {};
      for (const lang of languages) {
        const value = $(`editor-${field}-${lang}`).value;
        if (many ? lines(value).length > 0 : value.trim() !== '') out[lang] = many ? lines(value) : value.trim();
      }
      return out;
    };
    const questions = perLanguage('questions', true);
    if (!questions.lv) questions.lv = [];
    const answer = perLanguage('answer', false);
    const keywords = perLanguage('keywords', true);
    const links = [...$('editor-links').querySelectorAll('[data-link]')].map((row) => {
      const title = {};
      for (const input of row.querySelectorAll('.link-title')) if (input.value.trim()) title[input.dataset.language] = input.value.trim();
      return { url: row.querySelector('.link-url').value.trim(), title };
    });
    const entry = {
      id: open.id,
      kind: $('editor-kind').value,
      questions,
      ...(Object.keys(keywords).length ? { keywords } : {}),
      answer,
      links,
      sources: lines($('editor-sources').value),
      owner: $('editor-owner').value.trim(),
      reviewed: $('editor-reviewed').value,
      followUps: [...$('editor-followups').selectedOptions].map((o) => o.value),
      offerStaff: $('editor-offer-staff').checked,
    };
    return entry;
  }

  /** kb:check's problems beside their fields (`questions.lv.0` beside the Latvian phrasings); the rest in a list. */
  function showProblems(problems) {
    for (const node of document.querySelectorAll('#editor .error[id^="err-"]')) node.textContent = '';
    for (const node of document.querySelectorAll('#editor [aria-invalid]')) node.removeAttribute('aria-invalid');
    const rest = $('editor-problems');
    clear(rest);
    for (const p of problems || []) {
      const parts = (p.field || '').split('.');
      const candidates = [parts.slice(0, 2).join('.'), parts[0]];
      const target = candidates.map((c) => $(`err-${c}`)).find(Boolean);
      const text = `${p.severity === 'error' ? '' : 'Brīdinājums: '}${p.message}`;
      if (target) {
        target.textContent = target.textContent ? `${target.textContent}; ${text}` : text;
        const described = document.querySelector(`#editor [aria-describedby~="${target.id}"]`);
        if (described && p.severity === 'error') described.setAttribute('aria-invalid', 'true');
      } else rest.append(el('li', { text: `${p.field || 'ieraksts'}: ${text}` }));
    }
  }

  function describeState(view) {
    const parts = [];
    if (view.published) parts.push(`Publicētā versija: ${view.published.version}.`);
    else parts.push('Vēl nav publicēts.');
    if (view.draft)
      parts.push(
        view.draft.remove
          ? `Melnraksts: dzēst (${view.draft.author.name}).`
          : `Melnraksts: ${view.draft.author.name}, ${when.format(new Date(view.draft.updatedAt))}.`,
      );
    $('editor-state').textContent = parts.join(' ');
  }

  function showButtons(view) {
    const draft = view && view.draft;
    $('save-draft').hidden = !mayEdit();
    $('discard-draft').hidden = !mayEdit() || !draft;
    $('remove-entry').hidden = !mayEdit() || !view || !view.published;
    $('publish-entry').hidden = !mayPublish() || !draft;
  }

  async function openEntry(id, isNew) {
    open = { id, isNew, languages: ['lv'], view: null, latestVersion: null };
    $('editor').hidden = false;
    $('diff').hidden = true;
    editorStatus('');
    $('editor-id-row').hidden = !isNew;
    $('editor-id').value = isNew ? '' : id;
    if (isNew) {
      $('editor-title').textContent = 'Jauns ieraksts';
      $('editor-state').textContent = 'Vēl nav publicēts.';
      const languages = page.languages || ['lv'];
      open.languages = languages;
      fill({ questions: { lv: [] }, answer: {}, sources: [], reviewed: new Date().toISOString().slice(0, 10) }, languages);
      showProblems([]);
      showButtons(null);
      clear($('versions'));
      $('editor-id').focus();
      return;
    }
    const result = await call('GET', entryPath(id));
    if (result.status !== 200) {
      editorStatus(messageOf(result, 'Ierakstu neizdevās ielādēt.'));
      return;
    }
    const view = result.data;
    open.view = view;
    open.languages = view.languages;
    open.latestVersion = view.latestVersion;
    page.languages = view.languages;
    const shown = view.draft && !view.draft.remove ? view.draft.entry : view.published ? view.published.entry : {};
    $('editor-title').textContent = `Ieraksts ${id}`;
    describeState(view);
    fill(shown, view.languages);
    showProblems(view.problems);
    showButtons(view);
    await loadVersions();
    $('editor-title').focus();
  }

  async function saveDraft(body) {
    if (open.isNew) {
      const id = $('editor-id').value.trim();
      if (!/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/.test(id)) {
        $('err-id').textContent = 'Mazie burti un cipari, vārdi savienoti ar punktu vai domuzīmi.';
        $('editor-id').setAttribute('aria-invalid', 'true');
        $('editor-id').focus();
        return;
      }
      open.id = id;
    }
    // A new entry's id is the one just typed.
    const draft = body.entry ? { entry: { ...body.entry, id: open.id } } : body;
    const result = await call('PUT', entryPath(open.id, '/draft'), {
      ...draft,
      baseVersion: open.latestVersion ?? null,
      draftSavedAt: open.view && open.view.draft ? open.view.draft.updatedAt : null,
    });
    if (result.status !== 200) {
      editorStatus(messageOf(result, 'Melnrakstu neizdevās saglabāt.'));
      return;
    }
    const problems = result.data.draft.problems;
    document.dispatchEvent(new CustomEvent('studio:reload'));
    await openEntry(open.id, false);
    editorStatus(
      problems.some((p) => p.severity === 'error') ? 'Melnraksts saglabāts, bet to vēl nevar publicēt: izlabojiet norādīto.' : 'Melnraksts saglabāts.',
    );
  }

  $('editor-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void saveDraft({ entry: collect() });
  });
  $('add-link').addEventListener('click', () => linkRow(open.languages));
  $('remove-entry').addEventListener('click', () => void saveDraft({ remove: true }));
  $('discard-draft').addEventListener('click', async () => {
    const result = await call('DELETE', entryPath(open.id, '/draft'));
    if (result.status !== 200) return editorStatus(messageOf(result, 'Melnrakstu neizdevās atmest.'));
    document.dispatchEvent(new CustomEvent('studio:reload'));
    if (open.view && open.view.published) {
      await openEntry(open.id, false);
      editorStatus('Melnraksts atmests.');
    } else closeEditor();
  });
  $('preview-draft').addEventListener('click', () => {
    $('preview-drafts').checked = true;
    $('preview-text').focus();
  });
  $('publish-entry').addEventListener('click', () => void publish([open.id]));
  $('publish-all').addEventListener('click', () => void publish(undefined));

  function closeEditor() {
    $('editor').hidden = true;
    open = null;
    $('q').focus();
  }
  $('close-editor').addEventListener('click', closeEditor);

  async function publish(ids) {
    const result = await call('POST', here('/studio/publish'), ids ? { ids } : {});
    const say = open ? editorStatus : (text) => ($('drafts-error').textContent = text);
    if (result.status === 422 && result.data && result.data.problems) {
      if (open) showProblems(result.data.problems.filter((p) => p.entryId === open.id));
      const others = [...new Set(result.data.problems.map((p) => p.entryId).filter((id) => id && (!open || id !== open.id)))];
      say(`Nepublicēts: zināšanas nav derīgas${others.length ? ` (arī ${others.join(', ')})` : ''}. Izlabojiet norādītos laukus.`);
      return;
    }
    if (result.status !== 200) return say(messageOf(result, 'Neizdevās publicēt.'));
    document.dispatchEvent(new CustomEvent('studio:reload'));
    const versions = result.data.versions.map((v) => `${v.entryId} v${v.version}`).join(', ');
    if (open) {
      await openEntry(open.id, false).catch(() => {});
      if (open && open.view) editorStatus(`Publicēts: ${versions}. Bots jau atbild ar to.`);
    } else $('drafts-error').textContent = `Publicēts: ${versions}.`;
  }

  // ---- versions ----

  async function loadVersions() {
    const body = $('versions');
    clear(body);
    const result = await call('GET', entryPath(open.id, '/versions'));
    if (result.status !== 200) return;
    const list = result.data.versions;
    for (const v of [...list].reverse()) {
      const actions = el('td', { class: 'row-actions' });
      if (v.version > 1)
        actions.append(
          el('button', { type: 'button', class: 'secondary', onclick: () => void showDiff(v.version - 1, v.version), text: `Izmaiņas pret v${v.version - 1}` }),
        );
      if (open.view && open.view.draft && !open.view.draft.remove && v.version === list[list.length - 1].version)
        actions.append(
          ' ',
          el('button', { type: 'button', class: 'secondary', onclick: () => void showDiff(v.version, 'draft'), text: 'Melnraksta izmaiņas' }),
        );
      if (mayPublish() && v.version !== list[list.length - 1].version)
        actions.append(' ', el('button', { type: 'button', onclick: () => void rollback(v.version), text: `Atjaunot v${v.version}` }));
      body.append(
        el(
          'tr',
          { 'data-version': String(v.version) },
          el('th', { scope: 'row', text: `v${v.version}${v.removed ? ' (dzēsts)' : ''}` }),
          el('td', { text: v.by }),
          el('td', {}, v.at ? el('time', { datetime: v.at, text: when.format(new Date(v.at)) }) : 'faili'),
          actions,
        ),
      );
    }
  }

  const shownValue = (v) => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

  async function showDiff(from, to) {
    const result = await call('GET', entryPath(open.id, `/diff?from=${from}&to=${to}`));
    if (result.status !== 200) return editorStatus(messageOf(result, 'Izmaiņas neizdevās ielādēt.'));
    const list = $('diff-list');
    clear(list);
    $('diff-title').textContent = `Izmaiņas: v${from} → ${to === 'draft' ? 'melnraksts' : `v${to}`}`;
    if (result.data.changes.length === 0) list.append(el('li', { text: 'Nav izmaiņu.' }));
    for (const c of result.data.changes) {
      if (c.change === 'list') {
        const item = el('li', {}, el('code', { text: c.field }), ': ');
        if (c.added.length) item.append(el('ins', { text: `pievienots ${c.added.map(shownValue).join('; ')}` }), ' ');
        if (c.removed.length) item.append(el('del', { text: `noņemts ${c.removed.map(shownValue).join('; ')}` }));
        list.append(item);
      } else
        list.append(el('li', {}, el('code', { text: c.field }), ': ', el('del', { text: shownValue(c.from) }), ' → ', el('ins', { text: shownValue(c.to) })));
    }
    $('diff').hidden = false;
    $('diff-title').focus();
  }

  async function rollback(version) {
    const result = await call('POST', entryPath(open.id, '/rollback'), { version });
    if (result.status !== 200) {
      if (result.status === 422 && result.data && result.data.problems) showProblems(result.data.problems);
      return editorStatus(messageOf(result, 'Neizdevās atjaunot.'));
    }
    document.dispatchEvent(new CustomEvent('studio:reload'));
    const written = result.data.versions[0];
    await openEntry(open.id, false);
    editorStatus(`Atjaunota v${version} kā v${written.version}. Bots jau atbild ar to.`);
  }

  // ---- the page ----

  document.addEventListener('studio:agency', (event) => {
    page = { ...page, ...event.detail, languages: undefined };
    $('editor').hidden = true;
    open = null;
    $('new-entry').hidden = !mayEdit();
    $('publish-all').hidden = !mayPublish();
  });
  document.addEventListener('studio:entries', (event) => {
    entries = event.detail.entries.filter((e) => e.status !== 'new');
    const drafts = event.detail.entries.filter((e) => e.status !== 'published').length;
    $('drafts-bar').hidden = false;
    $('drafts-summary').textContent = drafts === 0 ? 'Melnrakstu nav.' : `Melnraksti: ${drafts}.`;
    $('publish-all').disabled = drafts === 0;
  });
  $('entries').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-open]');
    if (button) void openEntry(button.dataset.open, false);
  });
  $('new-entry').addEventListener('click', () => void openEntry('', true));

  window.PadomsStudioEditor = Object.freeze({
    /** The list's status cell: who changed the entry last, and when. */
    decorate(cell, entry) {
      if (entry.lastChange)
        cell.append(
          el(
            'span',
            { class: 'hint' },
            ` — ${entry.lastChange.by}, ${ACTIONS[entry.lastChange.action] || entry.lastChange.action}, ${when.format(new Date(entry.lastChange.at))}`,
          ),
        );
    },
  });
})();
