// Draws the scenario report from the JSON embedded in the page (scenarios/engine/report-view.ts
// builds it): per run, an SVG timeline (time axis, steps with ok/FAIL, a lane per server with the
// segments of its life, leases, faults, requests and kubectl runs as marks, proxy hops as arrows)
// and a table of the steps. Every text from the run is set with textContent, never as markup.
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var LABEL_W = 170;
  var PAD_L = 12;
  var AXIS_H = 26;
  var STEPS_H = 60;
  var LANE_H = 78;
  var PAD_R = 120;

  var view = JSON.parse(document.getElementById('kube-skew-report').textContent);
  var tip = document.getElementById('tip');

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) if (attrs[k] !== undefined) node.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, cls, anchor) {
    var t = el('text', { x: x, y: y, class: cls, 'text-anchor': anchor }, parent);
    t.textContent = content;
    return t;
  }
  function html(name, cls, content, parent) {
    var node = document.createElement(name);
    if (cls) node.className = cls;
    if (content !== undefined) node.textContent = content;
    if (parent) parent.appendChild(node);
    return node;
  }

  /** The class of a status: 2xx, 3xx, 404, other 4xx, 503, other 5xx, or no answer. */
  function statusClass(status) {
    if (status === undefined || status === null) return 'serr';
    if (status === 404) return 's404';
    if (status === 503) return 's503';
    if (status >= 200 && status < 300) return 's2xx';
    if (status >= 400 && status < 500) return 's4xx';
    if (status >= 500) return 's5xx';
    return 's3xx';
  }
  function seconds(ms) {
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }
  function niceStep(span, target) {
    var raw = span / target;
    var steps = [100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000];
    for (var i = 0; i < steps.length; i++) if (steps[i] >= raw) return steps[i];
    return steps[steps.length - 1];
  }

  // The tooltip: a title line and rows of label/value, then preformatted sections.
  function showTip(evt, build) {
    tip.replaceChildren();
    build(tip);
    tip.hidden = false;
    placeTip(evt);
  }
  function placeTip(evt) {
    var w = tip.offsetWidth;
    var h = tip.offsetHeight;
    var x = evt.clientX + 14;
    var y = evt.clientY + 14;
    if (x + w > window.innerWidth - 8) x = Math.max(8, evt.clientX - w - 14);
    if (y + h > window.innerHeight - 8) y = Math.max(8, window.innerHeight - h - 8);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hideTip() {
    tip.hidden = true;
  }
  function tipRows(parent, rows) {
    var table = html('table', '', undefined, parent);
    rows.forEach(function (r) {
      if (r[1] === undefined || r[1] === null || r[1] === '') return;
      var tr = html('tr', '', undefined, table);
      html('td', '', r[0], tr);
      html('td', '', String(r[1]), tr);
    });
  }
  function tipPre(parent, title, content) {
    if (!content) return;
    html('div', 'section', title, parent);
    html('pre', '', content, parent);
  }
  function headerText(headers) {
    return Object.keys(headers || {}).map(function (k) { return k + ': ' + headers[k]; }).join('\n');
  }
  function hover(node, build) {
    node.addEventListener('mouseenter', function (e) { showTip(e, build); });
    node.addEventListener('mousemove', placeTip);
    node.addEventListener('mouseleave', hideTip);
  }

  function legend() {
    var box = document.getElementById('legend');
    function group(title, items) {
      var g = html('span', 'group', undefined, box);
      html('b', '', title, g);
      items.forEach(function (it) {
        var span = html('span', 'item', undefined, g);
        var s = el('svg', { width: it[2] || 14, height: 14 }, span);
        it[0](s);
        html('span', '', it[1], span);
      });
    }
    function dot(cls) { return function (s) { el('circle', { cx: 7, cy: 7, r: 4.5, class: 'req ' + cls }, s); }; }
    function bar(cls) { return function (s) { el('rect', { x: 0, y: 3, width: 22, height: 8, class: cls }, s); }; }
    group('answers', [[dot('s2xx'), '2xx'], [dot('s3xx'), '1xx/3xx'], [dot('s404'), '404'], [dot('s4xx'), 'other 4xx'], [dot('s503'), '503'], [dot('s5xx'), 'other 5xx'], [dot('serr'), 'no answer'],
      [function (s) { el('rect', { x: 3, y: 3, width: 8, height: 8, class: 'kubectl ok' }, s); }, 'kubectl (exit 0 / not 0)']]);
    group('servers', [[bar('seg starting'), 'starting', 22], [bar('seg ready'), 'ready (minor inside)', 22], [function (s) { el('rect', { x: 0, y: 3, width: 22, height: 8, fill: 'var(--paused)' }, s); }, 'paused', 22], [bar('seg stopping'), 'stopping', 22]]);
    group('leases', [[bar('lease identity'), 'identity lease', 22], [bar('lease identity expired'), 'expired', 22], [bar('lease endpoint'), 'endpoint lease', 22]]);
    group('other', [[function (s) { el('path', { d: 'M2 12 Q 14 7 20 2', class: 'hop' }, s); }, 'proxy hop (receiver → peer)', 22],
      [function (s) { el('line', { x1: 4, y1: 7, x2: 24, y2: 7, class: 'req-span s2xx' }, s); el('circle', { cx: 5, cy: 7, r: 4, class: 'req s2xx' }, s); }, 'sent … answered', 26],
      [function (s) { el('line', { x1: 0, y1: 7, x2: 22, y2: 7, stroke: 'var(--fault)', 'stroke-width': 2, 'stroke-dasharray': '5 3' }, s); }, 'fault on the peer hop', 22],
      [function (s) { el('circle', { cx: 7, cy: 7, r: 6, fill: 'var(--ok)' }, s); }, 'step passed'], [function (s) { el('circle', { cx: 7, cy: 7, r: 6, fill: 'var(--fail)' }, s); }, 'step failed']]);
  }

  function drawScenario(sc, index) {
    var section = html('section', 'scenario', undefined, document.getElementById('scenarios'));
    section.id = 'scenario-' + (index + 1);
    section.dataset.scenario = sc.name;
    html('h2', '', sc.name, section);
    var meta = html('p', 'meta', undefined, section);
    html('span', 'verdict ' + (sc.ok ? 'ok' : 'fail'), sc.ok ? 'passed' : 'FAILED', meta);
    var failed = sc.steps.filter(function (s) { return !s.ok; }).length;
    meta.appendChild(document.createTextNode(' · ' + sc.steps.length + ' steps, ' + failed + ' failed · ' + seconds(sc.duration) + ' · seed ' + sc.seed + ' · started ' + new Date(sc.started).toISOString() + ' · ' + sc.file));
    if (sc.description) html('p', 'description', sc.description, section);
    if (sc.error) html('p', 'error', sc.error, section);

    // What the chart shows: from the first step (the default) or the whole run with the cluster's
    // start, fitted to the page's width and zoomed in from there.
    var toolbar = html('div', 'toolbar', undefined, section);
    var chart = html('div', 'chart', undefined, section);
    var height = AXIS_H + STEPS_H + sc.lanes.length * LANE_H + 8;
    drawLabels(sc, chart, height);
    var scroll = html('div', 'scroll', undefined, chart);
    var fitW = Math.max(600, scroll.clientWidth - PAD_L - PAD_R);
    var firstStep = sc.steps.length ? sc.steps[0].from : 0;
    var state = { from: Math.max(0, firstStep - Math.min(1000, sc.duration * 0.02)), zoom: 1 };
    var steps;
    function redraw() {
      var keep = scroll.scrollWidth ? (scroll.scrollLeft + scroll.clientWidth / 2) / scroll.scrollWidth : 0;
      steps = drawTimeline(sc, scroll, fitW * state.zoom, height, state.from);
      scroll.scrollLeft = keep * scroll.scrollWidth - scroll.clientWidth / 2;
      toolbar.querySelectorAll('button').forEach(function (b) { b.className = b.dataset.from === String(state.from) || b.dataset.zoom === String(state.zoom) ? 'on' : ''; });
    }
    function button(label, data, apply) {
      var b = html('button', '', label, toolbar);
      b.type = 'button';
      for (var k in data) b.dataset[k] = String(data[k]);
      b.addEventListener('click', function () { apply(); redraw(); });
    }
    html('span', '', 'show ', toolbar);
    var stepsFrom = state.from;
    button('from the first step', { from: stepsFrom }, function () { state.from = stepsFrom; });
    button('the whole run', { from: 0 }, function () { state.from = 0; });
    html('span', '', '  zoom ', toolbar);
    [1, 2, 4, 8].forEach(function (z) { button(z === 1 ? 'fit' : '×' + z, { zoom: z }, function () { state.zoom = z; }); });
    redraw();
    drawStepTable(sc, section, function (index) { return steps.querySelector('rect[data-step="' + index + '"]'); });
  }

  /** The fixed column of lane labels beside the scrolling timeline. */
  function drawLabels(sc, chart, height) {
    var svg = el('svg', { class: 'labels', width: LABEL_W, height: height }, chart);
    text(svg, 10, AXIS_H + 16, 'steps', 'sub');
    sc.lanes.forEach(function (l, i) {
      var top = AXIS_H + STEPS_H + i * LANE_H;
      var g = el('g', { class: 'lane-label', 'data-lane': l.name }, svg);
      el('rect', { x: 0, y: top, width: LABEL_W, height: LANE_H, class: 'lane-bg' + (i % 2 ? ' odd' : '') }, g);
      var isDoor = l.name === 'front-door';
      text(g, 10, top + 20, isDoor ? 'front door' : l.name, 'name');
      var minors = [];
      l.segments.forEach(function (s) { if (s.minor && minors.indexOf(s.minor) < 0) minors.push(s.minor); });
      text(g, 10, top + 36, isDoor ? 'answerer not known' : minors.join(' → '), 'sub');
      if (l.droppedRequests) text(g, 10, top + 51, '+' + l.droppedRequests + ' requests not drawn', 'sub');
      if (!isDoor) {
        text(g, LABEL_W - 6, top + 63, 'identity lease', 'strip-label', 'end');
        text(g, LABEL_W - 6, top + 72, 'endpoint lease', 'strip-label', 'end');
      }
    });
  }

  /**
   * The timeline of one run from `from` (ms into the run) to its end, `plotW` pixels wide, drawn into
   * `parent` (replacing what was there); returns the steps group.
   */
  function drawTimeline(sc, parent, plotW, height, from) {
    parent.replaceChildren();
    var width = PAD_L + plotW + PAD_R;
    var lanesTop = AXIS_H + STEPS_H;
    var span = Math.max(1, sc.duration - from);
    function x(t) { return PAD_L + (Math.max(from, Math.min(sc.duration, t)) - from) / span * plotW; }
    var laneIndex = {};
    sc.lanes.forEach(function (l, i) { laneIndex[l.name] = i; });
    function laneTop(name) { return lanesTop + laneIndex[name] * LANE_H; }
    function markY(name, i) { return laneTop(name) + 34 + (i % 5) * 5; }

    var svg = el('svg', { class: 'timeline', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height }, parent);
    var defs = el('defs', {}, svg);
    var arrow = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#555' }, arrow);
    var hatch = el('pattern', { id: 'paused-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, defs);
    el('rect', { width: 6, height: 6, fill: '#ffd166' }, hatch);
    el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#e0a800', 'stroke-width': 3 }, hatch);

    // Lane backgrounds.
    var lanesG = el('g', { class: 'lanes' }, svg);
    sc.lanes.forEach(function (l, i) {
      var g = el('g', { class: 'lane', 'data-lane': l.name }, lanesG);
      el('rect', { x: 0, y: laneTop(l.name), width: width, height: LANE_H, class: 'lane-bg' + (i % 2 ? ' odd' : '') }, g);
    });

    // Time axis.
    var axis = el('g', { class: 'axis' }, svg);
    var tick = niceStep(span, plotW / 90);
    for (var t = Math.ceil(from / tick) * tick; t <= sc.duration; t += tick) {
      el('line', { x1: x(t), y1: AXIS_H - 6, x2: x(t), y2: height, 'stroke-opacity': 0.5 }, axis);
      text(axis, x(t), AXIS_H - 10, t >= 60000 && tick % 60000 === 0 ? (t / 60000) + ' min' : (t / 1000) + ' s', '', 'middle');
    }
    // Steps: a band per step, a guide down the lanes at its start, a marker with ok/FAIL at its end.
    var stepsG = el('g', { class: 'steps' }, svg);
    var lastMarker = [-Infinity, -Infinity];
    sc.steps.forEach(function (s, i) {
      var x0 = x(s.from);
      var x1 = Math.max(x(s.to), x0 + 2);
      var band = el('rect', { x: x0, y: AXIS_H + 4, width: x1 - x0, height: 16, class: 'step-band' + (i % 2 ? ' alt' : '') + (s.ok ? '' : ' fail'), 'data-step': s.index }, stepsG);
      el('line', { x1: x0, y1: AXIS_H + 4, x2: x0, y2: height, class: 'step-guide' + (s.ok ? '' : ' fail') }, stepsG);
      // Markers of steps that end close together take turns on two rows.
      // (a failed one's FAIL beside it takes room too).
      var row = x1 - lastMarker[0] >= 20 ? 0 : x1 - lastMarker[1] >= 20 ? 1 : lastMarker[0] <= lastMarker[1] ? 0 : 1;
      lastMarker[row] = x1 + (s.ok ? 0 : 32);
      var marker = el('g', { class: 'step-marker ' + (s.ok ? 'ok' : 'fail'), 'data-step': s.index, transform: 'translate(' + x1 + ',' + (AXIS_H + 31 + row * 18) + ')' }, stepsG);
      el('circle', { r: 8 }, marker);
      text(marker, 0, 3.5, String(s.index), '', 'middle');
      if (!s.ok) text(marker, 11, 4, 'FAIL', 'verdict');
      var build = function (box) {
        html('div', 'head', s.index + '. ' + s.title + (s.ok ? ' — ok' : ' — FAIL'), box);
        tipRows(box, [['kind', s.kind], ['from', seconds(s.from)], ['took', seconds(s.to - s.from)], ['note', s.note]]);
        if (s.failures.length) tipPre(box, 'expected', s.failures.join('\n'));
      };
      hover(marker, build);
      hover(band, build);
    });

    // Clock changes.
    sc.clock.forEach(function (c) {
      var g = el('g', { class: 'clock-mark' }, svg);
      el('line', { x1: x(c.at), y1: AXIS_H, x2: x(c.at), y2: height }, g);
      text(g, x(c.at) + 3, AXIS_H + 40, 'clock ×' + c.scale + (c.advanceMs ? ' +' + seconds(c.advanceMs) : ''));
    });

    // Each lane: segments, leases, marks of the server's life, faults.
    sc.lanes.forEach(function (l) {
      var g = lanesG.querySelector('g.lane[data-lane="' + CSS.escape(l.name) + '"]');
      var top = laneTop(l.name);
      l.segments.forEach(function (s) {
        var x0 = x(s.from);
        var w = Math.max(1, x(s.to) - x0);
        var r = el('rect', { x: x0, y: top + 6, width: w, height: 16, class: 'seg ' + s.state, 'data-state': s.state, 'data-minor': s.minor }, g);
        var label = s.state === 'ready' ? s.minor : s.minor + ' ' + s.state;
        if (s.minor && w > label.length * 6.5 + 8) text(g, x0 + 4, top + 18, label, 'seg-label' + (s.state === 'ready' ? '' : ' dark'));
        else if (s.minor && w > 34) text(g, x0 + 4, top + 18, s.minor, 'seg-label' + (s.state === 'ready' ? '' : ' dark'));
        hover(r, function (box) {
          html('div', 'head', l.name + ': ' + s.state + (s.minor ? ' at ' + s.minor : ''), box);
          tipRows(box, [['from', seconds(s.from)], ['to', seconds(s.to)]]);
        });
      });
      [['identityLease', top + 58, 'identity'], ['endpointLease', top + 67, 'endpoint']].forEach(function (strip) {
        l[strip[0]].forEach(function (span) {
          var r = el('rect', { x: x(span.from), y: strip[1], width: Math.max(1, x(span.to) - x(span.from)), height: 5, class: 'lease ' + strip[2] + (span.expired ? ' expired' : '') }, g);
          hover(r, function (box) {
            html('div', 'head', l.name + ': ' + strip[2] + ' lease' + (span.expired ? ' (expired)' : ''), box);
            tipRows(box, [['', span.detail], ['from', seconds(span.from)], ['to', seconds(span.to)]]);
          });
        });
      });
      l.marks.forEach(function (m) {
        var kind = m.label.split(' ')[0];
        var mg = el('g', { class: 'lane-mark ' + kind }, g);
        el('line', { x1: x(m.at), y1: top + 2, x2: x(m.at), y2: top + 26 }, mg);
        text(mg, x(m.at) + 3, top + 32, m.label);
      });
    });
    sc.faults.forEach(function (f) {
      if (laneIndex[f.source] === undefined) return;
      var top = laneTop(f.source);
      var g = el('g', { class: 'fault' }, svg);
      el('line', { x1: x(f.from), y1: top + 27, x2: Math.max(x(f.to), x(f.from) + 2), y2: top + 27 }, g);
      text(g, x(f.from) + 2, top + 53, f.fault + (f.delayMs ? ' ' + f.delayMs + ' ms' : '') + ' → ' + f.target);
      hover(g, function (box) {
        html('div', 'head', 'fault: ' + f.fault + ' on the hop ' + f.source + ' → ' + f.target, box);
        tipRows(box, [['from', seconds(f.from)], ['to', seconds(f.to)], ['delay', f.delayMs ? f.delayMs + ' ms' : '']]);
      });
    });

    // Proxy hops and the time each request took (a line to its answer) under the marks, then the marks.
    var hops = el('g', { class: 'hops' }, svg);
    var marks = el('g', { class: 'marks' }, svg);
    sc.requests.forEach(function (r, i) {
      var cx = x(r.at);
      var cy = markY(r.lane, i);
      if (r.hop && laneIndex[r.hop.from] !== undefined) {
        var fy = markY(r.hop.from, i);
        el('path', { d: 'M' + cx + ' ' + fy + ' Q ' + (cx + 18) + ' ' + ((fy + cy) / 2) + ' ' + cx + ' ' + (cy + (cy > fy ? -5 : 5)), class: 'hop', 'data-from': r.hop.from, 'data-to': r.hop.to }, hops);
        el('circle', { cx: cx, cy: fy, r: 2.5, class: 'hop-start' }, hops);
      }
      var ex = x(r.at + r.ms);
      if (ex - cx >= 3) el('line', { x1: cx, y1: cy, x2: ex, y2: cy, class: 'req-span ' + statusClass(r.status) }, hops);
      var c = el('circle', { cx: cx, cy: cy, r: 4, class: 'req ' + statusClass(r.status), 'data-status': r.status === undefined ? 'error' : r.status, 'data-lane': r.lane, 'data-i': i }, marks);
      hover(c, function (box) {
        html('div', 'head', r.method + ' ' + r.path + ' → ' + (r.status !== undefined ? r.status : 'no answer'), box);
        tipRows(box, [
          ['sent', seconds(r.at) + ' by ' + r.origin + ', to ' + r.via],
          ['took', r.ms + ' ms'],
          ['served by', r.servedBy || 'not known'],
          ['received by', r.receivedBy],
          ['proxied', r.hop ? r.hop.from + ' → ' + r.hop.to : r.receivedProxied ? 'received marked as proxied' : 'no'],
          ['error', r.error],
        ]);
        tipPre(box, 'response headers', headerText(r.headers));
        tipPre(box, 'body (first bytes)', r.body);
        tipPre(box, 'request headers', headerText(r.requestHeaders));
        tipPre(box, 'request body', r.requestBody);
      });
    });
    sc.kubectl.forEach(function (k) {
      if (laneIndex[k.lane] === undefined) return;
      var top = laneTop(k.lane);
      var r = el('rect', { x: x(k.at) - 4, y: top + 27, width: 8, height: 8, class: 'kubectl ' + (k.exitCode === 0 ? 'ok' : 'bad') }, marks);
      hover(r, function (box) {
        html('div', 'head', 'kubectl ' + k.args.join(' ') + ' → exit ' + k.exitCode, box);
        tipRows(box, [['sent', seconds(k.at) + ' by ' + k.origin + ', to ' + k.via], ['binary', k.binary], ['took', k.ms + ' ms']]);
        tipPre(box, 'stdout (first bytes)', k.stdout);
        tipPre(box, 'stderr (first bytes)', k.stderr);
      });
    });

    return stepsG;
  }

  /** The steps as a table, each row highlighting its band on the timeline. */
  function drawStepTable(sc, section, bandOf) {
    var table = html('table', 'steps', undefined, section);
    var head = html('tr', '', undefined, html('thead', '', undefined, table));
    ['#', '', 'step', 'kind', 'at', 'took', 'note'].forEach(function (h) { html('th', '', h, head); });
    var body = html('tbody', '', undefined, table);
    sc.steps.forEach(function (s) {
      var tr = html('tr', s.ok ? 'ok' : 'fail', undefined, body);
      tr.dataset.step = String(s.index);
      html('td', 'num', String(s.index), tr);
      html('td', 'verdict', s.ok ? 'ok' : 'FAIL', tr);
      var title = html('td', '', s.title, tr);
      if (s.failures.length) {
        var ul = html('ul', '', undefined, title);
        s.failures.forEach(function (f) { html('li', '', f, ul); });
      }
      html('td', '', s.kind, tr);
      html('td', 'num', seconds(s.from), tr);
      html('td', 'num', seconds(s.to - s.from), tr);
      html('td', '', s.note || '', tr);
      tr.addEventListener('mouseenter', function () { bandOf(s.index).classList.add('highlight'); });
      tr.addEventListener('mouseleave', function () { bandOf(s.index).classList.remove('highlight'); });
    });
  }

  legend();
  view.scenarios.forEach(drawScenario);
  document.body.dataset.ready = 'true';
})();
