/*
 * report.js — the tlsdissect --html page (docs/report.md).
 *
 * Reads the events the page embeds (the NDJSON of --json, one event a line,
 * in <script type="application/json" id="td-events">) and draws: the
 * overview (files, counts, charts), a sortable and filterable table of the
 * connections, and a ladder diagram per connection, built when it is first
 * shown (all at once only for small captures).  Every string from the data
 * reaches the page as a text node or an attribute value, never as markup.
 * Columns come from the keys the connection events carry, so a key a newer
 * tlsdissect adds (group, findings) shows without a change here.
 */
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var LADDERS_UP_FRONT = 50;   /* more connections: each ladder when asked for */
  var TABLE_ROWS = 1000;       /* rows drawn at once; the filter reaches all */

  /* ---- DOM helpers: text only, never innerHTML ---------------------------- */

  function el(tag, attrs) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function setAttrs(e, attrs) {
    for (var k in attrs || {}) if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
  }
  function append(e, child) {
    if (child === null || child === undefined) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(e, c); }); return; }
    e.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function byId(id) { return document.getElementById(id); }

  /* ---- the data ------------------------------------------------------------ */

  var events = byId('td-events').textContent.split('\n').filter(function (l) { return l; })
    .map(function (l) { return JSON.parse(l); });
  var meta = JSON.parse(byId('td-meta').textContent);
  var explainBlock = byId('td-explain');
  var explain = explainBlock ? JSON.parse(explainBlock.textContent) : null;

  function sentence(index) {
    if (!explain) return null;
    var k = parseInt(explain.of.substr(index * 2, 2), 16);
    return k >= 0 && k < explain.sentences.length ? explain.sentences[k] : null;
  }

  /* Microseconds since the epoch from "2026-11-22T09:24:01.453577Z". */
  function micros(ts) {
    if (typeof ts !== 'string') return null;
    var m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(ts);
    if (!m) return null;
    return Date.parse(m[1] + 'Z') * 1000 + (m[2] ? parseInt((m[2] + '00000').slice(0, 6), 10) : 0);
  }

  var conns = new Map(), stats = null, loose = [];
  events.forEach(function (ev, i) {
    if (ev.type === 'stats') { stats = ev; return; }
    if (ev.conn === undefined) { loose.push(ev); return; }
    var c = conns.get(ev.conn);
    if (!c) {
      c = { id: ev.conn, client: ev.client, server: ev.server, rows: [], summary: null, ladder: null };
      conns.set(ev.conn, c);
    }
    if (ev.type === 'connection') c.summary = ev;
    else c.rows.push({ ev: ev, index: i });
  });
  var connList = Array.from(conns.values()).sort(function (a, b) { return a.id - b.id; });

  /* ---- what a value looks like --------------------------------------------- */

  function endpointText(ep) {
    if (!ep) return '';
    return (ep.ip.indexOf(':') >= 0 ? '[' + ep.ip + ']' : ep.ip) + ':' + ep.port;
  }
  function ms(us) { return us === null || us === undefined ? '' : (us / 1000).toFixed(3); }
  function summaryOf(c) { return c.summary || {}; }
  function certStatus(s) {
    return s.certificate_validation ? s.certificate_validation.status : '';
  }
  function firstSubject(c) {
    for (var i = 0; i < c.rows.length; i++) {
      var ev = c.rows[i].ev;
      if (ev.msg === 'Certificate' && ev.from === 'server' && ev.certificates && ev.certificates[0])
        return ev.certificates[0].subject;
    }
    return null;
  }
  function sniOf(c) {
    var s = summaryOf(c);
    if (s.sni) return s.sni;
    for (var i = 0; i < c.rows.length; i++) if (c.rows[i].ev.sni) return c.rows[i].ev.sni;
    return null;
  }
  function findingText(f) {
    if (f === null || typeof f !== 'object') return String(f);
    for (var k in f) if (typeof f[k] === 'string') return f[k];
    return JSON.stringify(f);
  }
  function listText(v) {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.map(findingText).join(', ');
    return typeof v === 'object' ? findingText(v) : String(v);
  }

  /* The key fields of a message, as the text transcript shows them. */
  function keyFields(ev) {
    var f = [];
    function add(label, v) { if (v !== undefined && v !== null && v !== '') f.push(label ? label + '=' + v : String(v)); }
    if (ev.encrypted) { add('', 'encrypted, ' + ev.length + ' bytes'); return f.join(' '); }
    switch (ev.msg) {
      case 'ClientHello':
        add('versions', (ev.supported_versions || [ev.legacy_version]).join(','));
        add('sni', ev.sni);
        if (ev.alpn) add('alpn', ev.alpn.join(','));
        if (ev.cipher_suites) add('suites', ev.cipher_suites.length);
        if (ev.key_share) add('key_share', ev.key_share.join(','));
        break;
      case 'ServerHello':
      case 'HelloRetryRequest':
        add('', ev.version);
        add('', ev.cipher_suite);
        add(ev.msg === 'HelloRetryRequest' ? 'wants_key_share' : 'key_share', ev.key_share);
        add('alpn', ev.alpn);
        break;
      case 'Certificate':
        if (ev.certificates) {
          add('', ev.certificates.length + (ev.certificates.length === 1 ? ' cert' : ' certs'));
          if (ev.certificates[0]) add('', ev.certificates[0].subject);
        }
        break;
      case 'ServerKeyExchange':
        add('', ev.kex); add('', ev.group); add('', ev.signature_algorithm);
        break;
      case 'ClientKeyExchange':
        add('', ev.kex);
        break;
      case 'CertificateVerify':
        add('', ev.signature_algorithm);
        break;
      case 'EncryptedExtensions':
        add('alpn', ev.alpn);
        break;
      case 'NewSessionTicket':
        add('lifetime', ev.lifetime_hint !== undefined ? ev.lifetime_hint + 's' : undefined);
        add('ticket', ev.ticket_length !== undefined ? ev.ticket_length + 'B' : undefined);
        break;
      case 'Alert':
        add('', ev.level); add('', ev.description);
        break;
      case 'CertificateRequest':
        if (ev.signature_algorithms) add('sig_algs', ev.signature_algorithms.length);
        break;
    }
    if (ev.truncated) add('', 'truncated');
    if (ev.malformed) add('', 'malformed');
    return f.join(' ');
  }

  /* ---- overview -------------------------------------------------------------- */

  function countBy(list, key) {
    var m = new Map();
    list.forEach(function (v) { v = key(v); if (v === undefined) return; v = v === null ? '(none)' : String(v); m.set(v, (m.get(v) || 0) + 1); });
    return Array.from(m.entries()).sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
  }

  function hasKey(key) {
    return connList.some(function (c) { return c.summary && Object.prototype.hasOwnProperty.call(c.summary, key); });
  }

  function barChart(title, entries) {
    var top = entries.slice(0, 8), max = 1, rowH = 20, w = 470, barX = 290;
    top.forEach(function (e) { max = Math.max(max, e[1]); });
    if (entries.length > 8) top.push(['(' + (entries.length - 8) + ' more)', entries.slice(8).reduce(function (s, e) { return s + e[1]; }, 0)]);
    var s = svg('svg', { 'class': 'chart', width: w, height: top.length * rowH + 24, role: 'img', 'aria-label': title });
    s.appendChild(svg('text', { x: 0, y: 14, 'class': 'chart-title' }, title));
    top.forEach(function (e, i) {
      var y = 22 + i * rowH, bw = Math.max(2, Math.round(e[1] / max * 150));
      s.appendChild(svg('text', { x: 0, y: y + 13, 'class': 'chart-label' }, clip(e[0], 42)));
      s.appendChild(svg('rect', { x: barX, y: y + 2, width: bw, height: rowH - 6, 'class': 'bar' }));
      s.appendChild(svg('text', { x: barX + 6 + bw, y: y + 13, 'class': 'chart-num' }, e[1]));
    });
    return s;
  }

  /* Handshake times in buckets of powers of two milliseconds. */
  function handshakeChart() {
    var times = connList.map(function (c) { return summaryOf(c).handshake_us; })
      .filter(function (v) { return typeof v === 'number'; });
    if (!times.length) return null;
    var buckets = new Map();
    times.forEach(function (us) {
      var edge = 0.125;
      while (us / 1000 > edge && edge < 65536) edge *= 2;
      buckets.set(edge, (buckets.get(edge) || 0) + 1);
    });
    var entries = Array.from(buckets.entries()).sort(function (a, b) { return a[0] - b[0]; })
      .map(function (e) { return ['\u2264 ' + e[0] + ' ms', e[1]]; });
    var chart = barChart('Handshake time', entries);
    var sorted = times.slice().sort(function (a, b) { return a - b; });
    function pct(p) { return ms(sorted[Math.max(0, Math.ceil(sorted.length * p / 100) - 1)]); }
    return el('div', { 'class': 'chart-box' }, chart,
      el('p', { 'class': 'note' }, 'p50 ' + pct(50) + ' ms, p90 ' + pct(90) + ' ms, p99 ' + pct(99) + ' ms, max ' + ms(sorted[sorted.length - 1]) + ' ms'));
  }

  function overview() {
    var starts = connList.map(function (c) { return micros(summaryOf(c).start); }).filter(function (v) { return v !== null; });
    var ends = connList.map(function (c) { return micros(summaryOf(c).end); }).filter(function (v) { return v !== null; });
    var span = '';
    if (starts.length && ends.length) {
      var lo = Math.min.apply(null, starts), hi = Math.max.apply(null, ends);
      var first = connList.reduce(function (best, c) { var t = micros(summaryOf(c).start); return t === lo ? summaryOf(c).start : best; }, '');
      var last = connList.reduce(function (best, c) { var t = micros(summaryOf(c).end); return t === hi ? summaryOf(c).end : best; }, '');
      span = first + ' \u2013 ' + last + ' (' + ((hi - lo) / 1e6).toFixed(3) + ' s)';
    }
    var transports = countBy(connList.filter(function (c) { return c.summary; }), function (c) { return c.summary.transport || 'tcp'; });
    var facts = el('dl', { 'class': 'facts' },
      el('dt', null, 'Files'), el('dd', null, meta.files.join(', ')),
      el('dt', null, 'Time span'), el('dd', null, span || '\u2014'),
      el('dt', null, 'Packets'), el('dd', null, stats ? stats.packets + ' (' + stats.bytes + ' bytes)' : '\u2014'),
      el('dt', null, 'Connections'), el('dd', null, stats ? String(stats.connections) : String(connList.length)),
      el('dt', null, 'TLS connections'), el('dd', null, (stats ? stats.tls_connections : connList.length) + (transports.length ? ' (' + transports.map(function (t) { return t[0] + ' ' + t[1]; }).join(', ') + ')' : '')),
      el('dt', null, 'Shown here'), el('dd', null, String(connList.length)));
    var charts = el('div', { 'class': 'charts' });
    var summaries = connList.filter(function (c) { return c.summary; }).map(function (c) { return c.summary; });
    charts.appendChild(barChart('Versions', countBy(summaries, function (s) { return s.version; })));
    charts.appendChild(barChart('Cipher suites', countBy(summaries, function (s) { return s.cipher_suite; })));
    if (hasKey('group')) charts.appendChild(barChart('Key-exchange groups', countBy(summaries, function (s) { return s.group; })));
    var hs = handshakeChart();
    if (hs) charts.appendChild(hs);
    var anomalies = stats && stats.anomalies ? Object.keys(stats.anomalies) : [];
    return el('section', { id: 'overview' }, el('h1', null, 'tlsdissect report'), facts,
      anomalies.length ? el('p', { 'class': 'anomaly-note' }, 'Anomalies: ' + anomalies.map(function (k) { return k + ' ' + stats.anomalies[k]; }).join(', ')) : null,
      charts);
  }

  /* ---- the connections table -------------------------------------------------- */

  var columns = [
    { key: 'conn', title: '#', value: function (c) { return c.id; }, num: true },
    { key: 'client', title: 'Client', value: function (c) { return endpointText(c.client); } },
    { key: 'server', title: 'Server', value: function (c) { return endpointText(c.server); } },
    { key: 'sni', title: 'SNI', value: function (c) { return sniOf(c) || ''; } },
    { key: 'version', title: 'Version', value: function (c) { return summaryOf(c).version || ''; } },
    { key: 'cipher_suite', title: 'Cipher suite', value: function (c) { return summaryOf(c).cipher_suite || ''; } },
    { key: 'group', title: 'Group', optional: true, value: function (c) { return listText(summaryOf(c).group); } },
    { key: 'established', title: 'Established', value: function (c) { return summaryOf(c).established ? 'yes' : 'no'; } },
    { key: 'resumed', title: 'Resumed', value: function (c) { var s = summaryOf(c); return s.resumed && s.resumed !== 'no' ? s.resumed + (s.resumed_from ? ' from #' + s.resumed_from : '') : (s.resumed || ''); }, cell: resumedCell },
    { key: 'handshake_us', title: 'Handshake ms', num: true, value: function (c) { var v = summaryOf(c).handshake_us; return typeof v === 'number' ? v : null; }, text: function (v) { return v === null ? '' : ms(v); } },
    { key: 'ja4', title: 'JA4', value: function (c) { return summaryOf(c).ja4 || ''; } },
    { key: 'certificate_validation', title: 'Certificate', value: function (c) { return certStatus(summaryOf(c)) || ''; } },
    { key: 'findings', title: 'Findings', optional: true, value: function (c) { return listText(summaryOf(c).findings); } }
  ].filter(function (col) { return !col.optional || hasKey(col.key); });

  function resumedCell(c, td) {
    var s = summaryOf(c);
    td.appendChild(document.createTextNode(s.resumed || ''));
    if (s.resumed_from) {
      td.appendChild(document.createTextNode(' from '));
      td.appendChild(connectionLink(s.resumed_from, '#' + s.resumed_from));
    }
  }

  /* A link to a connection's ladder; plain text when the page does not show it (--sni, --conn). */
  function connectionLink(id, text) {
    if (!conns.has(id)) return el('span', { title: 'not in this report' }, text + ' (not shown)');
    return el('a', { href: '#conn-' + id, 'class': 'resumed-link', 'data-conn': id }, text);
  }

  var sortColumn = 0, sortDescending = false, filterText = '';

  function rowText(c) {
    if (c.searchText === undefined)
      c.searchText = columns.map(function (col) { return String(col.value(c)); }).join(' ').toLowerCase();
    return c.searchText;
  }

  function renderRows(tbody, note) {
    var col = columns[sortColumn], words = filterText.toLowerCase().split(/\s+/).filter(function (w) { return w; });
    var shown = connList.filter(function (c) { var t = rowText(c); return words.every(function (w) { return t.indexOf(w) >= 0; }); });
    shown.sort(function (a, b) {
      var x = col.value(a), y = col.value(b), r;
      if (x === null || y === null) r = (x === null) - (y === null);
      else r = x < y ? -1 : x > y ? 1 : 0;
      return (sortDescending ? -r : r) || a.id - b.id;
    });
    tbody.textContent = '';
    shown.slice(0, TABLE_ROWS).forEach(function (c) {
      var tr = el('tr', { 'data-conn': c.id, tabindex: 0 });
      if (c.summary && !c.summary.established) tr.className = 'failed';
      columns.forEach(function (column) {
        var td = el('td', column.num ? { 'class': 'num' } : null);
        if (column.cell) column.cell(c, td);
        else td.textContent = column.text ? column.text(column.value(c)) : String(column.value(c));
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    note.textContent = shown.length + ' of ' + connList.length + ' connections' +
      (shown.length > TABLE_ROWS ? ' (the first ' + TABLE_ROWS + ' drawn: narrow with the filter)' : '');
  }

  function connectionsTable() {
    var filter = el('input', { type: 'search', id: 'filter', placeholder: 'filter: words that every row shown contains', 'aria-label': 'filter connections' });
    var note = el('span', { id: 'table-note', 'class': 'note' });
    var head = el('tr');
    var tbody = el('tbody');
    columns.forEach(function (col, i) {
      var th = el('th', { 'data-key': col.key, tabindex: 0, title: 'sort' }, col.title);
      th.addEventListener('click', function () {
        sortDescending = sortColumn === i ? !sortDescending : false;
        sortColumn = i;
        Array.prototype.forEach.call(head.children, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', sortDescending ? 'descending' : 'ascending');
        renderRows(tbody, note);
      });
      head.appendChild(th);
    });
    filter.addEventListener('input', function () { filterText = filter.value; renderRows(tbody, note); });
    tbody.addEventListener('click', function (e) {
      var link = e.target.closest('a.resumed-link');
      if (link) return; /* the hash change shows it */
      var tr = e.target.closest('tr');
      if (tr) showConnection(Number(tr.getAttribute('data-conn')), true);
    });
    tbody.addEventListener('keydown', function (e) {
      var tr = e.target.closest('tr');
      if (tr && e.key === 'Enter') showConnection(Number(tr.getAttribute('data-conn')), true);
    });
    renderRows(tbody, note);
    return el('section', { id: 'connections' }, el('h2', null, 'Connections'),
      el('div', { 'class': 'toolbar' }, filter, note),
      el('div', { 'class': 'table-wrap' }, el('table', { id: 'conn-table' }, el('thead', null, head), tbody)));
  }

  /* ---- ladders ------------------------------------------------------------------ */

  var X_TIME = 8, X_CLIENT = 190, X_SERVER = 590, X_EXPLAIN = 690, EXPLAIN_CHARS = 58;

  function wrap(text, width) {
    var lines = [], line = '';
    text.split(' ').forEach(function (w) {
      if (line && (line + ' ' + w).length > width) { lines.push(line); line = w; }
      else line = line ? line + ' ' + w : w;
    });
    if (line) lines.push(line);
    return lines;
  }

  function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  /* Where encryption starts on each side: the row index after which it is on. */
  function encryptionStarts(c) {
    var tls13 = summaryOf(c).version === 'TLS 1.3', start = { client: null, server: null };
    c.rows.forEach(function (r, i) {
      var ev = r.ev;
      if (ev.type !== 'message') return;
      if (tls13 && ev.msg === 'ServerHello') {
        if (start.server === null) start.server = i;
        if (start.client === null) start.client = i;
      } else if (!tls13 && ev.msg === 'ChangeCipherSpec' && start[ev.from] === null) {
        start[ev.from] = i;
      }
    });
    return start;
  }

  function buildLadder(c) {
    var s = summaryOf(c), explainOn = !!explain, rows = c.rows;
    var width = explainOn ? X_EXPLAIN + EXPLAIN_CHARS * 6.4 + 10 : X_SERVER + 170;
    var headH = 86, y = headH + 16, layout = [];
    var t0 = rows.length ? micros(rows[0].ev.ts) : 0; /* as the text transcript: from the first message */
    rows.forEach(function (r) {
      var lines = explainOn && r.ev.type === 'message' ? wrap(sentence(r.index) || '', EXPLAIN_CHARS) : [];
      var h = Math.max(r.ev.type === 'anomaly' ? 40 : 48, lines.length * 13 + 12);
      layout.push({ y: y, h: h, lines: lines });
      y += h;
    });
    var height = y + 20;
    var g = svg('svg', { 'class': 'ladder', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'handshake of connection ' + c.id });
    /* lifeline heads */
    var cert = firstSubject(c), sni = sniOf(c);
    function head(x, title, lines) {
      var box = svg('g', { 'class': 'lifeline-head' });
      box.appendChild(svg('rect', { x: x - 150, y: 6, width: 300, height: headH - 12, rx: 6 }));
      box.appendChild(svg('text', { x: x, y: 24, 'class': 'head-title' }, title));
      lines.forEach(function (l, i) { box.appendChild(svg('text', { x: x, y: 40 + i * 14 }, clip(l, 44))); });
      return box;
    }
    g.appendChild(head(X_CLIENT, 'Client', [endpointText(c.client)]));
    g.appendChild(head(X_SERVER, 'Server', [endpointText(c.server)].concat(sni ? ['SNI ' + sni] : [], cert ? [cert] : [])));
    /* lifelines: plain until encryption starts, then drawn as the encrypted side */
    var enc = encryptionStarts(c);
    [['client', X_CLIENT], ['server', X_SERVER]].forEach(function (side) {
      var at = enc[side[0]], x = side[1];
      var split = at === null ? height - 10 : layout[at].y + layout[at].h;
      g.appendChild(svg('line', { x1: x, y1: headH, x2: x, y2: split, 'class': 'lifeline' }));
      if (at !== null) {
        g.appendChild(svg('line', { x1: x, y1: split, x2: x, y2: height - 10, 'class': 'lifeline encrypted-side' }));
        g.appendChild(svg('line', { x1: x - 26, y1: split, x2: x + 26, y2: split, 'class': 'encryption-start' }));
        g.appendChild(svg('text', { x: side[0] === 'client' ? x - 30 : x + 30, y: split + 4, 'class': 'encryption-label', 'text-anchor': side[0] === 'client' ? 'end' : 'start' }, 'encrypted'));
      }
    });
    rows.forEach(function (r, i) {
      var ev = r.ev, L = layout[i], mid = L.y + 18;
      var dt = micros(ev.ts) - t0;
      g.appendChild(svg('text', { x: X_TIME, y: mid + 4, 'class': 'offset' }, '+' + (dt / 1000).toFixed(3) + ' ms'));
      if (ev.type === 'anomaly') {
        var brk = svg('g', { 'class': 'anomaly', 'data-index': r.index, tabindex: 0 });
        brk.appendChild(svg('rect', { x: X_CLIENT - 30, y: L.y + 4, width: X_SERVER - X_CLIENT + 60, height: L.h - 8, 'class': 'hit' }));
        [X_CLIENT, X_SERVER].forEach(function (x) {
          brk.appendChild(svg('rect', { x: x - 6, y: mid - 10, width: 12, height: 12, 'class': 'gap' }));
          brk.appendChild(svg('path', { d: 'M' + (x - 10) + ' ' + (mid - 6) + ' l20 -6 M' + (x - 10) + ' ' + (mid + 4) + ' l20 -6', 'class': 'break' }));
        });
        brk.appendChild(svg('text', { x: (X_CLIENT + X_SERVER) / 2, y: mid + 4, 'class': 'anomaly-text' }, clip('\u26a0 ' + ev.what + ': ' + ev.detail, 62)));
        g.appendChild(brk);
        return;
      }
      var fromClient = ev.from === 'client', x1 = fromClient ? X_CLIENT : X_SERVER, x2 = fromClient ? X_SERVER : X_CLIENT;
      var cls = 'arrow' + (ev.encrypted ? ' encrypted' : '') + (ev.decrypted ? ' decrypted' : '') +
        (ev.msg === 'Alert' ? ' alert' : '') + (ev.msg === 'ChangeCipherSpec' ? ' ccs' : '') + (ev.malformed || ev.truncated ? ' faulty' : '');
      var a = svg('g', { 'class': cls, 'data-index': r.index, 'data-msg': ev.msg, 'data-from': ev.from, tabindex: 0, role: 'button',
        'aria-label': ev.from + ' sends ' + ev.msg });
      a.appendChild(svg('rect', { x: X_CLIENT, y: L.y + 1, width: (explainOn ? width - 4 : X_SERVER) - X_CLIENT, height: L.h - 2, 'class': 'hit' }));
      var tip = fromClient ? x2 - 2 : x2 + 2;
      a.appendChild(svg('line', { x1: x1, y1: mid + 6, x2: tip, y2: mid + 6, 'class': 'shaft' }));
      a.appendChild(svg('path', { d: 'M' + tip + ' ' + (mid + 6) + ' l' + (fromClient ? -9 : 9) + ' -5 v10 z', 'class': 'head' }));
      var label = ev.msg + (ev.decrypted ? '  \u2713 decrypted' : '');
      a.appendChild(svg('text', { x: (X_CLIENT + X_SERVER) / 2, y: mid - 6, 'class': 'msg-name' }, label));
      var fields = keyFields(ev);
      if (fields) a.appendChild(svg('text', { x: (X_CLIENT + X_SERVER) / 2, y: mid + 20, 'class': 'msg-fields' }, clip(fields, 66)));
      if (L.lines.length) {
        var t = svg('text', { x: X_EXPLAIN, y: L.y + 10, 'class': 'explain' });
        L.lines.forEach(function (line, k) { t.appendChild(svg('tspan', { x: X_EXPLAIN, dy: k ? 13 : 0 }, line)); });
        a.appendChild(t);
      }
      g.appendChild(a);
    });
    /* messages that came in one record: bracketed on their sender's side */
    var i = 0;
    while (i < rows.length) {
      var ev0 = rows[i].ev, j = i;
      while (j + 1 < rows.length && ev0.type === 'message' && typeof ev0.record_index === 'number' &&
             rows[j + 1].ev.type === 'message' && rows[j + 1].ev.from === ev0.from &&
             rows[j + 1].ev.record_index === ev0.record_index) j++;
      if (j > i) {
        var left = ev0.from === 'client', bx = left ? X_CLIENT - 14 : X_SERVER + 14, tick = left ? 6 : -6;
        var top = layout[i].y + 8, bottom = layout[j].y + layout[j].h - 8;
        var br = svg('g', { 'class': 'record-group', 'data-from': ev0.from, 'data-record': ev0.record_index });
        br.appendChild(svg('path', { d: 'M' + (bx + tick) + ' ' + top + ' H' + bx + ' V' + bottom + ' H' + (bx + tick), 'class': 'bracket' }));
        br.appendChild(svg('text', { x: left ? bx - 4 : bx + 4, y: (top + bottom) / 2 + 4, 'class': 'record-label',
          'text-anchor': left ? 'end' : 'start' }, (j - i + 1) + ' in record ' + ev0.record_index));
        g.appendChild(br);
      }
      i = j + 1;
    }
    g.addEventListener('click', function (e) {
      var target = e.target.closest('[data-index]');
      if (target) showDetails(c, Number(target.getAttribute('data-index')), target);
    });
    g.addEventListener('keydown', function (e) {
      var target = e.target.closest('[data-index]');
      if (target && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); showDetails(c, Number(target.getAttribute('data-index')), target); }
    });
    return g;
  }

  function connectionSection(c) {
    var s = summaryOf(c), sni = sniOf(c);
    var facts = [s.version, s.cipher_suite, s.established ? 'established' : 'not established',
      typeof s.handshake_us === 'number' ? 'handshake ' + ms(s.handshake_us) + ' ms' : null,
      certStatus(s) ? 'certificate ' + certStatus(s) : null, s.decryption ? 'decryption ' + s.decryption : null]
      .filter(function (v) { return v; }).join(' \u00b7 ');
    var h = el('h3', null, 'Connection ' + c.id + ' ', el('span', { 'class': 'endpoints' },
      endpointText(c.client) + ' \u2192 ' + endpointText(c.server) + (sni ? '  ' + sni : '')));
    var resumed = s.resumed_from ? el('p', { 'class': 'resumed' }, 'Resumes the session of ',
      connectionLink(s.resumed_from, 'connection ' + s.resumed_from),
      ' (' + s.resumed + ').') : null;
    var details = el('div', { 'class': 'details', hidden: '' });
    var section = el('section', { id: 'conn-' + c.id, 'class': 'conn', 'data-conn': c.id }, h,
      el('p', { 'class': 'facts-line' }, facts || 'no summary (the capture ended before the connection did)'), resumed,
      el('div', { 'class': 'ladder-wrap' }, buildLadder(c)), details);
    c.ladder = section;
    return section;
  }

  var ladders;
  function ensureLadder(c) {
    if (c.ladder) return c.ladder;
    var section = connectionSection(c);
    /* keep the sections in connection order */
    var next = null;
    Array.prototype.some.call(ladders.children, function (s) {
      if (Number(s.getAttribute('data-conn')) > c.id) { next = s; return true; }
      return false;
    });
    ladders.insertBefore(section, next);
    return section;
  }

  function showConnection(id, setHash) {
    var c = conns.get(id);
    if (!c) return;
    var section = ensureLadder(c);
    if (setHash && location.hash !== '#conn-' + id) history.replaceState(null, '', '#conn-' + id);
    Array.prototype.forEach.call(document.querySelectorAll('section.conn.current'), function (s) { s.classList.remove('current'); });
    section.classList.add('current');
    section.scrollIntoView({ block: 'start' });
  }

  /* ---- one message's fields --------------------------------------------------------- */

  var HIDDEN_KEYS = { type: 1, conn: 1, client: 1, server: 1 };

  function valueNode(v) {
    if (v === null) return el('span', { 'class': 'null' }, 'null');
    if (Array.isArray(v)) {
      if (v.every(function (x) { return x === null || typeof x !== 'object'; }))
        return el('span', { 'class': 'list' }, v.length ? v.map(String).join(', ') : '(empty)');
      return el('ol', null, v.map(function (x) { return el('li', null, valueNode(x)); }));
    }
    if (typeof v === 'object') return fieldTable(v, {});
    return el('span', null, String(v));
  }

  function fieldTable(o, hide) {
    var t = el('table', { 'class': 'fields' });
    Object.keys(o).forEach(function (k) {
      if (hide[k]) return;
      t.appendChild(el('tr', null, el('th', null, k), el('td', null, valueNode(o[k]))));
    });
    return t;
  }

  function certificateChain(c, ev) {
    var s = summaryOf(c), v = s.certificate_validation;
    var verdict = ev.from === 'server' && v ? el('p', { 'class': 'verdict ' + (v.status === 'ok' ? 'ok' : 'bad') },
      'Validation: ' + v.status + (v.errors && v.errors.length > 1 ? ' (' + v.errors.join(', ') + ')' : '') + (v.detail ? ' \u2014 ' + v.detail : '')) : null;
    var chain = el('ol', { 'class': 'chain' });
    (ev.certificates || []).forEach(function (cert, i) {
      var dates = cert.not_before || cert.not_after ? (cert.not_before || '?') + ' \u2013 ' + (cert.not_after || '?') : null;
      var expired = cert.not_after && s.start && micros(cert.not_after) < micros(s.start);
      chain.appendChild(el('li', { 'class': 'cert' },
        el('div', { 'class': 'cert-subject' }, (i === 0 ? 'leaf: ' : cert.is_ca ? 'CA: ' : '') + (cert.subject || '(unparsed)')),
        cert.issuer ? el('div', null, 'issued by ' + cert.issuer) : null,
        dates ? el('div', { 'class': expired ? 'bad' : null }, 'valid ' + dates + (expired ? ' (expired at the time of the capture)' : '')) : null,
        el('details', null, el('summary', null, 'all fields'), fieldTable(cert, {}))));
    });
    return [verdict, chain];
  }

  function showDetails(c, index, target) {
    var ev = events[index], box = c.ladder.querySelector('.details');
    Array.prototype.forEach.call(c.ladder.querySelectorAll('.selected'), function (s) { s.classList.remove('selected'); });
    target.classList.add('selected');
    box.textContent = '';
    var title = ev.type === 'anomaly' ? 'Anomaly: ' + ev.what : ev.msg + ' from the ' + ev.from;
    var hide = Object.assign({}, HIDDEN_KEYS);
    if (ev.msg === 'Certificate') hide.certificates = 1;
    append(box, [el('h4', null, title, ' ', el('span', { 'class': 'ts' }, ev.ts)),
      sentence(index) ? el('p', { 'class': 'explain-text' }, sentence(index)) : null,
      ev.msg === 'Certificate' ? certificateChain(c, ev) : null,
      fieldTable(ev, hide)]);
    box.hidden = false;
  }

  /* ---- the page ------------------------------------------------------------------------ */

  var app = byId('app');
  app.appendChild(overview());
  app.appendChild(connectionsTable());
  ladders = el('div', { id: 'ladders' });
  var laddersSection = el('section', { id: 'ladder-list' }, el('h2', null, 'Ladders'),
    el('p', { 'class': 'note' }, connList.length > LADDERS_UP_FRONT
      ? 'Click a connection in the table to draw its ladder. Click an arrow for every field of its message.'
      : 'Click an arrow for every field of its message.'), ladders);
  app.appendChild(laddersSection);
  if (loose.length)
    app.appendChild(el('section', { id: 'loose' }, el('h2', null, 'Anomalies outside a connection'),
      el('ul', null, loose.map(function (ev) { return el('li', null, ev.ts + ' ' + ev.what + ': ' + ev.detail); }))));
  if (connList.length <= LADDERS_UP_FRONT) connList.forEach(ensureLadder);

  function followHash() {
    var m = /^#conn-(\d+)$/.exec(location.hash);
    if (m) showConnection(Number(m[1]), false);
  }
  window.addEventListener('hashchange', followHash);
  followHash();
})();
