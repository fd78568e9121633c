// The report page in the browser: asks the chosen agency's /staff/api/agencies/:agency/report for
// a period and draws it (the agency: ?agency=, one of those the member serves). Charts are
// inline SVG built with DOM APIs (no library, nothing inline for the CSP), each with a text
// alternative; every value from the report, citizens' questions included, goes in as textContent.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const integer = new Intl.NumberFormat('lv-LV');
  const percent = new Intl.NumberFormat('lv-LV', { style: 'percent', maximumFractionDigits: 1 });
  const oneDecimal = new Intl.NumberFormat('lv-LV', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const twoDecimals = new Intl.NumberFormat('lv-LV', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // The report names its days as YYYY-MM-DD in the agency's time zone; read back at UTC midnight
  // they show as the same day whatever the browser's zone.
  const day = new Intl.DateTimeFormat('lv-LV', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });

  const SHARES = [
    ['answered', 'Atbildēja'],
    ['clarified', 'Uzdeva precizējošu jautājumu'],
    ['referred', 'Pāradresēja citai iestādei'],
    ['fallback', 'Nesaprata jautājumu'],
    ['handover', 'Lūdza darbinieku'],
    ['other', 'Cits (cita valoda, aizsargāta informācija, aizskaroša saruna, dzēšana)'],
  ];
  const SCORES = [
    [1, '1 – slikti'],
    [2, '2'],
    [3, '3'],
    [4, '4'],
    [5, '5 – ļoti labi'],
  ];

  let request = 0;

  // ---- helpers ----

  const { el, clear } = window.PadomsDom;

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatDay(iso) {
    return day.format(new Date(`${iso}T00:00:00Z`));
  }

  function minutes(value) {
    return value === null ? '–' : `${oneDecimal.format(value)} min`;
  }

  /** "2026 Q4" → "2026. gada 4. ceturksnis". */
  function quarterName(quarter) {
    const match = /^(\d{4}) Q([1-4])$/.exec(quarter);
    return match ? `${match[1]}. gada ${match[2]}. ceturksnis` : quarter;
  }

  /** Latvian agreement with a number: 1, 21, 31 … take the singular; 11 and the rest the plural. */
  function counted(n, singular, plural) {
    return `${integer.format(n)} ${n % 10 === 1 && n % 100 !== 11 ? singular : plural}`;
  }

  function status(text) {
    $('report-status').textContent = text;
  }

  // ---- charts ----

  const ROW = 50;
  /** The longest bar, in per cent of the chart's width: the rest is room for the value after it. */
  const BAR_AREA = 75;

  /**
   * A horizontal bar chart: each row a label above its bar and the value after it. Widths are in
   * per cent and text in real pixels (no viewBox), so the text keeps its size in a narrow column.
   * The SVG is one image to assistive technology (role="img"), named by an aria-label that reads
   * out every number. rows: [{ label, value, text }]; scale: the value of the longest possible bar.
   */
  function barChart(caption, rows, scale) {
    const summary = `${caption}: ${rows.map((r) => `${r.label} — ${r.text}`).join('; ')}.`;
    const height = rows.length * ROW;
    const image = svg('svg', { class: 'bars', width: '100%', height, role: 'img', 'aria-label': summary, focusable: 'false' });
    rows.forEach((row, i) => {
      const top = i * ROW;
      const length = scale > 0 ? Math.round((row.value / scale) * BAR_AREA * 10) / 10 : 0;
      const group = svg('g', { class: 'row' });
      group.append(
        svg('text', { class: 'label', x: 0, y: top + 17 }, row.label),
        svg('rect', { class: 'track', x: 0, y: top + 25, width: `${BAR_AREA}%`, height: 18, rx: 2 }),
        svg('rect', { class: 'bar', x: 0, y: top + 25, width: `${length}%`, height: 18, rx: 2, 'data-label': row.label, 'data-value': row.value }),
        svg('text', { class: 'value', x: `${BAR_AREA}%`, dx: 8, y: top + 39 }, row.text),
      );
      image.append(group);
    });
    return el('figure', { class: 'chart' }, el('figcaption', { text: caption }), image);
  }

  function empty(text) {
    return el('p', { class: 'empty', text });
  }

  // ---- tables ----

  /** head: [[text, numeric?]], rows: [[cell, …]] where a cell is a string, a number or a Node. */
  function table(caption, head, rows) {
    const numeric = head.map(([, isNumber]) => Boolean(isNumber));
    return el(
      'table',
      { class: 'figures' },
      el('caption', { class: 'visually-hidden', text: caption }),
      el('thead', {}, el('tr', {}, ...head.map(([text], i) => el('th', { scope: 'col', class: numeric[i] ? 'number' : undefined, text })))),
      el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((cell, i) => cellOf(cell, numeric[i], i === 0 && !numeric[i]))))),
    );
  }

  function cellOf(cell, isNumber, isRowHeader) {
    const content = typeof cell === 'number' ? integer.format(cell) : cell;
    return el(isRowHeader ? 'th' : 'td', { scope: isRowHeader ? 'row' : undefined, class: isNumber ? 'number' : undefined }, content);
  }

  /** Two columns, "what" and "how many": for the handover, case and "did it help" figures. */
  function factTable(caption, rows) {
    return table(caption, [['Rādītājs'], ['Vērtība', true]], rows);
  }

  /** Puts `content` in the element `id`, in place of what was there. */
  function show(id, content) {
    const box = $(id);
    clear(box);
    box.append(content);
  }

  function entryCell(id, labels) {
    const name = labels.entries[id];
    return name ? el('span', {}, `${name} `, el('code', { text: id })) : el('code', { text: id });
  }

  // ---- the report ----

  function render(report) {
    const labels = report.labels || { entries: {}, authorities: {} };
    const period = `${formatDay(report.from)}–${formatDay(report.to)}`;
    const countOf = (share) => Math.round(share * report.turns);

    const totals = $('totals');
    clear(totals);
    const satisfaction = report.satisfaction;
    for (const [term, value] of [
      ['Periods', period],
      ['Sarunas', integer.format(report.conversations)],
      ['Iedzīvotāju ziņas', integer.format(report.turns)],
      ['Vērtējumi', satisfaction.count === 0 ? 'nav' : `${integer.format(satisfaction.count)}, vidēji ${twoDecimals.format(satisfaction.average)} no 5`],
    ]) {
      totals.append(el('dt', { text: term }), el('dd', { text: value }));
    }
    $('csv-link').href = `${reportPath()}?from=${encodeURIComponent(report.from)}&to=${encodeURIComponent(report.to)}&format=csv`;

    show(
      'shares-chart',
      report.turns === 0
        ? empty('Šajā periodā iedzīvotāju ziņu nav.')
        : barChart(
            `Daļa no visām ziņām (${integer.format(report.turns)})`,
            SHARES.map(([key, label]) => ({
              label,
              value: report.shares[key],
              text: `${percent.format(report.shares[key])} (${integer.format(countOf(report.shares[key]))})`,
            })),
            1,
          ),
    );

    const distribution = SCORES.map(([score, label]) => ({ label, value: satisfaction.distribution[score] || 0 }));
    show(
      'satisfaction-chart',
      satisfaction.count === 0
        ? empty('Šajā periodā vērtējumu nav.')
        : barChart(
            `${counted(satisfaction.count, 'vērtējums', 'vērtējumi')} no 1 (slikti) līdz 5 (ļoti labi), vidēji ${twoDecimals.format(satisfaction.average)}`,
            distribution.map((d) => ({ ...d, text: `${integer.format(d.value)} (${percent.format(d.value / satisfaction.count)})` })),
            Math.max(...distribution.map((d) => d.value)),
          ),
    );

    const referralTotal = report.referralsByAuthority.reduce((sum, r) => sum + r.count, 0);
    show(
      'referrals-chart',
      report.referralsByAuthority.length === 0
        ? empty('Šajā periodā pāradresāciju nav.')
        : barChart(
            `Kopā ${counted(referralTotal, 'pāradresācija', 'pāradresācijas')}`,
            report.referralsByAuthority.map((r) => ({
              label: labels.authorities[r.authorityId] || r.authorityId,
              value: r.count,
              text: integer.format(r.count),
            })),
            Math.max(...report.referralsByAuthority.map((r) => r.count)),
          ),
    );

    const complaintTotal = report.complaintsByQuarter.reduce((sum, c) => sum + c.count, 0);
    show(
      'complaints-chart',
      report.complaintsByQuarter.length === 0
        ? empty('Šajā periodā sūdzību nav.')
        : barChart(
            `Kopā ${counted(complaintTotal, 'sūdzība', 'sūdzības')}`,
            report.complaintsByQuarter.map((c) => ({ label: quarterName(c.quarter), value: c.count, text: integer.format(c.count) })),
            Math.max(...report.complaintsByQuarter.map((c) => c.count)),
          ),
    );

    show(
      'entries',
      report.topEntries.length === 0
        ? empty('Šajā periodā bots neatbildēja ne uz vienu jautājumu.')
        : table(
            'Biežāk sniegtās atbildes: ieraksts un reižu skaits',
            [['Ieraksts'], ['Reizes', true]],
            report.topEntries.map((e) => [entryCell(e.entryId, labels), e.count]),
          ),
    );

    show(
      'unanswered',
      report.topUnanswered.length === 0
        ? empty('Šajā periodā neatbildētu jautājumu nav.')
        : table(
            'Biežākie neatbildētie jautājumi: jautājums iedzīvotāja vārdiem (bez personas datiem), reižu skaits, tuvākais ieraksts',
            [['Jautājums'], ['Reizes', true], ['Tuvākais ieraksts']],
            report.topUnanswered.map((u) => [
              el('span', { class: 'citizen-text', text: u.example }),
              u.count,
              u.closestEntryId ? entryCell(u.closestEntryId, labels) : '–',
            ]),
          ),
    );

    const handovers = report.handovers;
    show(
      'handovers',
      factTable('Nodošana darbiniekam', [
        ['Sarunas nodotas darbiniekam tiešsaistē', handovers.count],
        [
          'Pieņemtas',
          handovers.count === 0 ? integer.format(0) : `${integer.format(handovers.accepted)} (${percent.format(handovers.accepted / handovers.count)})`,
        ],
        ['Gaidīšanas laika mediāna', minutes(handovers.medianWaitMinutes)],
        ['Mediāna līdz darbinieka pirmajai atbildei', minutes(handovers.medianFirstReplyMinutes)],
      ]),
    );

    const cases = report.cases;
    show(
      'cases',
      factTable('Atstātie jautājumi (lietas)', [
        ['Lietas', cases.count],
        ['Atbildētas', cases.answered],
        ['Atbildētas termiņā', cases.deadlinesMet],
        ['Nokavētas', cases.overdue],
      ]),
    );

    const helpful = report.helpful;
    const answers = helpful.yes + helpful.no;
    const share = (n) => (answers === 0 ? integer.format(n) : `${integer.format(n)} (${percent.format(n / answers)})`);
    show(
      'helpful',
      factTable('Atbildes uz jautājumu „Vai tas palīdzēja?”', [
        ['Jā', share(helpful.yes)],
        ['Nē', share(helpful.no)],
      ]),
    );

    $('report').hidden = false;
    status(`Pārskats par periodu ${period}.`);
  }

  // ---- the period ----

  /** Marks the field at fault (both for a period too long) and says why; no field: clears. */
  function fieldError(field, message) {
    for (const id of ['from', 'to']) {
      const input = $(id);
      if (field === id || field === 'period') {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'period-error period-hint');
      } else {
        input.removeAttribute('aria-invalid');
        input.setAttribute('aria-describedby', 'period-hint');
      }
    }
    $('period-error').textContent = message;
  }

  async function load(from, to) {
    const mine = ++request;
    fieldError(null, '');
    status('Ielādē pārskatu…');
    const query = from && to ? `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` : '';
    let res;
    let data = null;
    try {
      res = await fetch(`${reportPath()}${query}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      data = await res.json();
    } catch {
      if (mine === request) status('Pārskatu neizdevās ielādēt. Pārbaudiet savienojumu un mēģiniet vēlreiz.');
      return;
    }
    if (mine !== request) return; // a newer request is on its way
    if (res.status === 401) {
      clear($('report-status'));
      $('report-status').append('Sesija beigusies. ', el('a', { href: '/staff', text: 'Pieslēdzieties vēlreiz' }), '.');
      return;
    }
    if (res.status !== 200) {
      const error = (data && data.error) || {};
      fieldError(error.field || null, error.message ? `Pārskats netika sagatavots: ${error.message}.` : 'Pārskats netika sagatavots.');
      status('');
      return;
    }
    $('from').value = data.from;
    $('to').value = data.to;
    render(data);
  }

  $('period-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const from = $('from').value;
    const to = $('to').value;
    if (from === '' || to === '') {
      fieldError(from === '' ? 'from' : 'to', 'Norādiet abus datumus.');
      $(from === '' ? 'from' : 'to').focus();
      return;
    }
    if (to < from) {
      fieldError('to', 'Beigu datums nedrīkst būt pirms sākuma datuma.');
      $('to').focus();
      return;
    }
    // The agency and period in the address: a link or a reload shows the same report.
    window.history.replaceState(null, '', `/staff/reports?agency=${encodeURIComponent(agency)}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    void load(from, to);
  });

  // ---- the agency ----

  /** The agency the page reports on: one the member serves (the server checks it again). */
  let agency = null;

  function reportPath() {
    return `/staff/api/agencies/${encodeURIComponent(agency)}/report`;
  }

  function chooseAgency(chosen) {
    agency = chosen.id;
    $('agency').value = chosen.id;
    $('agency-title').textContent = ` — ${chosen.name}`;
    $('nav-console').href = `/staff?agency=${encodeURIComponent(chosen.id)}`;
    $('nav-reports').href = `/staff/reports?agency=${encodeURIComponent(chosen.id)}`;
    $('nav-studio').href = `/staff/studio?agency=${encodeURIComponent(chosen.id)}`;
  }

  async function start() {
    const params = new URLSearchParams(window.location.search);
    let me;
    try {
      const res = await fetch('/staff/api/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401) {
        clear($('report-status'));
        $('report-status').append('Sesija beigusies. ', el('a', { href: '/staff', text: 'Pieslēdzieties vēlreiz' }), '.');
        return;
      }
      me = await res.json();
    } catch {
      status('Pārskatu neizdevās ielādēt. Pārbaudiet savienojumu un mēģiniet vēlreiz.');
      return;
    }
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
      window.history.replaceState(null, '', `/staff/reports?agency=${encodeURIComponent(agency)}`);
      void load($('from').value || null, $('to').value || null);
    });
    const asked = { from: params.get('from'), to: params.get('to') };
    if (asked.from && asked.to) {
      $('from').value = asked.from;
      $('to').value = asked.to;
      void load(asked.from, asked.to);
    } else void load(null, null); // the server's default: the current quarter
  }

  void start();
})();
