// The knowledge studio's import part: a FAQ file (CSV/TSV, XLSX, DOCX, a saved HTML page) sent as
// it is to /staff/api/agencies/:agency/studio/import with the CSRF header and its name in
// X-File-Name, and the result: how many drafts were made, or every problem, each naming its row or
// element (nothing is imported then). The agency is the page's (studio.js keeps it in #agency and
// says it with `studio:agency`, with the member's role there: the part is hidden from a member who
// may not edit). When drafts were made, `studio:reload` asks the page to list the entries anew.
// Every value goes in as textContent.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, clear } = window.PadomsDom;
  const integer = new Intl.NumberFormat('lv-LV');
  const form = $('import-form');
  if (!form) return;

  let csrf = null;
  /** Roles that may not change an agency's knowledge (bot/handover/roles.ts editsKnowledge). */
  const READERS = new Set(['staff']);

  document.addEventListener('studio:agency', (event) => {
    const detail = event.detail || {};
    if (detail.csrf) csrf = detail.csrf;
    $('import-section').hidden = READERS.has(detail.role);
    $('import-result').hidden = true;
    error('');
  });

  async function csrfToken() {
    if (csrf) return csrf;
    const res = await fetch('/staff/api/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (res.status !== 200) return null;
    csrf = (await res.json()).csrfToken;
    return csrf;
  }

  /** Latvian agreement with a number: 1, 21, 31 … take the singular; 11 and the rest the plural. */
  function singular(n) {
    return n % 10 === 1 && n % 100 !== 11;
  }

  function counted(n, one, many) {
    return `${integer.format(n)} ${singular(n) ? one : many}`;
  }

  function show(title, ...content) {
    const box = $('import-result');
    clear(box);
    const heading = el('h4', { id: 'import-result-title', tabindex: '-1', text: title });
    box.append(heading, ...content);
    box.hidden = false;
    heading.focus();
  }

  function error(text) {
    $('import-error').textContent = text;
  }

  async function send() {
    const input = $('import-file');
    const file = input.files && input.files[0];
    error('');
    $('import-result').hidden = true;
    if (!file) {
      input.setAttribute('aria-invalid', 'true');
      error('Izvēlieties failu.');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    const agency = $('agency') && $('agency').value;
    if (!agency) return error('Nav izvēlēta iestāde.');
    const button = $('import-send');
    button.disabled = true;
    $('import-busy').textContent = 'Importē…';
    let res;
    let data = null;
    try {
      const token = await csrfToken();
      if (!token) return error('Sesija beigusies. Pieslēdzieties vēlreiz.');
      res = await fetch(`/staff/api/agencies/${encodeURIComponent(agency)}/studio/import`, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/octet-stream',
          'X-CSRF-Token': token,
          'X-File-Name': encodeURIComponent(file.name),
        },
        credentials: 'same-origin',
        body: file,
      });
      data = await res.json().catch(() => null);
    } catch {
      error('Neizdevās nosūtīt failu. Pārbaudiet savienojumu un mēģiniet vēlreiz.');
      return;
    } finally {
      button.disabled = false;
      $('import-busy').textContent = '';
    }
    if (res.status === 401) return error('Sesija beigusies. Pieslēdzieties vēlreiz.');
    if (res.status === 200 && data) {
      const list = el('ol', { class: 'import-drafts' });
      for (const d of data.drafts) list.append(el('li', {}, el('span', { class: 'title', text: d.question }), ' ', el('code', { text: d.entryId })));
      show(
        `${singular(data.drafts.length) ? 'Izveidots' : 'Izveidoti'} ${counted(data.drafts.length, 'melnraksts', 'melnraksti')} no faila „${data.file}”`,
        el('p', { text: 'Tie vēl nav publicēti: pārskatiet un publicējiet tos melnrakstu sarakstā.' }),
        list,
      );
      input.value = '';
      document.dispatchEvent(new CustomEvent('studio:reload'));
      return;
    }
    const problems = (data && data.problems) || [];
    if (problems.length > 0) {
      const list = el('ul', { class: 'import-problems' });
      for (const p of problems) list.append(el('li', { text: p.message }));
      show(
        problems.length === 1 ? 'Failu nevar importēt' : `Failu nevar importēt: ${counted(problems.length, 'problēma', 'problēmas')}`,
        el('p', { text: 'Nav izveidots neviens melnraksts. Izlabojiet failu un mēģiniet vēlreiz.' }),
        list,
      );
      return;
    }
    error((data && data.error && data.error.message) || 'Neizdevās importēt.');
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
})();
