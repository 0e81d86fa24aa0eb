/**
 * The page's own script (inline, plain ES2017 for any browser of the last years): it reads the chart data from
 * the JSON element and draws each chart with uPlot, plus the marks (stage starts, anomalies, knee, SLO lines) in
 * uPlot's draw hook. It computes nothing about the run; chart-spec.ts says what it receives. When done it sets
 * data-charts-drawn on <html> (the browser tests read it); a chart that fails says so in its place and on the
 * console. data-charts-drawn-ms is when that happened, in ms since navigation began.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var source = document.getElementById('llmbench-data');
  var payload = JSON.parse(source ? source.textContent : '{"charts":[]}');
  var plots = [];

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var a = Math.abs(v);
    if (a >= 1000) return v.toFixed(0);
    if (a >= 100) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    if (a === 0) return '0';
    return v.toPrecision(3);
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function marksPlugin(marks) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, bb = u.bbox, px = uPlot.pxRatio;
          var placed = [];
          ctx.save();
          ctx.beginPath();
          ctx.rect(bb.left, bb.top, bb.width, bb.height);
          ctx.clip();
          ctx.font = (11 * px) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left';
          marks.forEach(function (m) {
            ctx.setLineDash((m.dash || []).map(function (d) { return d * px; }));
            ctx.lineWidth = 1.5 * px;
            ctx.strokeStyle = m.color;
            if (m.kind === 'band') {
              var x0 = u.valToPos(m.x0, 'x', true), x1 = u.valToPos(m.x1, 'x', true);
              ctx.fillStyle = alpha(m.color, 0.13);
              ctx.fillRect(Math.min(x0, x1), bb.top, Math.max(Math.abs(x1 - x0), px), bb.height);
              ctx.beginPath(); ctx.moveTo(x0, bb.top); ctx.lineTo(x0, bb.top + bb.height); ctx.stroke();
              label(m.label, x0 + 3 * px, bb.top + 4 * px, m.color, false);
            } else if (m.kind === 'vline') {
              var x = u.valToPos(m.x, 'x', true);
              ctx.beginPath(); ctx.moveTo(x, bb.top); ctx.lineTo(x, bb.top + bb.height); ctx.stroke();
              label(m.label, x + 3 * px, bb.top + 4 * px, m.color, false);
            } else if (m.kind === 'hline') {
              var y = u.valToPos(m.y, m.axis === 1 ? 'y2' : 'y', true);
              ctx.beginPath(); ctx.moveTo(bb.left, y); ctx.lineTo(bb.left + bb.width, y); ctx.stroke();
              label(m.label, bb.left + 6 * px, y - 14 * px < bb.top ? y + 2 * px : y - 14 * px, m.color, true);
            }
          });
          ctx.restore();

          // A label that would cover one already drawn moves down (vertical lines) or right (horizontal lines).
          function label(text, x, y, color, sideways) {
            ctx.setLineDash([]);
            var w = ctx.measureText(text).width + 4 * px, h = 13 * px;
            for (var tries = 0; tries < 12; tries++) {
              var clash = placed.some(function (r) { return x < r.x + r.w && r.x < x + w && y < r.y + r.h && r.y < y + h; });
              if (!clash) break;
              if (sideways) x += 24 * px; else y += h + px;
            }
            placed.push({ x: x, y: y, w: w, h: h });
            ctx.fillStyle = 'rgba(255,255,255,0.75)';
            ctx.fillRect(x - 2 * px, y - px, w, h);
            ctx.fillStyle = color;
            ctx.fillText(text, x, y);
          }
        }]
      }
    };
  }

  function rangeFor(axis, marks, axisIndex) {
    return function (u, lo, hi) {
      marks.forEach(function (m) {
        if (m.kind === 'hline' && m.axis === axisIndex) {
          lo = lo === null ? m.y : Math.min(lo, m.y);
          hi = hi === null ? m.y : Math.max(hi, m.y);
        }
      });
      if (lo === null || hi === null) { lo = 0; hi = 1; }
      if (axis.min !== undefined) lo = Math.min(axis.min, lo);
      if (axis.max !== undefined) hi = Math.max(axis.max, hi);
      else hi = hi + (hi - lo) * 0.06;
      if (hi <= lo) hi = lo + 1;
      return [lo, hi];
    };
  }

  function xRange(spec) {
    return function (u, lo, hi) {
      spec.marks.forEach(function (m) {
        var xs = m.kind === 'vline' ? [m.x] : m.kind === 'band' ? [m.x0, m.x1] : [];
        xs.forEach(function (x) { lo = lo === null ? x : Math.min(lo, x); hi = hi === null ? x : Math.max(hi, x); });
      });
      if (spec.x.min !== undefined) lo = spec.x.min;
      if (spec.x.max !== undefined) hi = spec.x.max;
      if (lo === null || hi === null) return [0, 1];
      if (hi <= lo) { hi = lo + 1; lo = lo - 1; }
      return [lo, hi];
    };
  }

  function options(spec, width) {
    var scales = { x: { time: false } };
    if (spec.x.log) { scales.x.distr = 3; scales.x.log = spec.x.log; }
    else scales.x.range = xRange(spec);
    scales.y = { range: rangeFor(spec.axes[0], spec.marks, 0) };
    var axes = [
      { label: spec.x.label, labelSize: 22, size: 40 },
      { label: spec.axes[0].label, labelSize: 22, scale: 'y', size: 56 }
    ];
    if (spec.axes.length > 1) {
      scales.y2 = { range: rangeFor(spec.axes[1], spec.marks, 1) };
      axes.push({ label: spec.axes[1].label, labelSize: 22, scale: 'y2', side: 1, size: 56, grid: { show: false } });
    }
    var series = [{ label: spec.x.legend || spec.x.label, value: function (u, v) { return fmt(v); } }];
    spec.series.forEach(function (s) {
      var o = {
        label: s.label,
        stroke: s.color,
        width: 2,
        scale: s.axis === 1 ? 'y2' : 'y',
        spanGaps: !!spec.spanGaps,
        value: function (u, v) { return fmt(v); },
        points: { show: !!s.points, size: 7, fill: s.color }
      };
      if (s.dash) o.dash = s.dash;
      if (s.bars) { o.paths = uPlot.paths.bars({ size: [0.8, 24] }); o.fill = alpha(s.color, 0.5); o.width = 1; }
      series.push(o);
    });
    var opts = { width: width, height: spec.height || 260, scales: scales, axes: axes, series: series, plugins: [marksPlugin(spec.marks)], legend: { live: true } };
    if (spec.sync) opts.cursor = { sync: { key: spec.sync } };
    return opts;
  }

  function widthOf(el) { return Math.max(280, Math.floor(el.getBoundingClientRect().width)); }

  var drawn = 0;
  payload.charts.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) { console.error('llmbench report: no place for chart ' + spec.id); return; }
    try {
      var plot = new uPlot(options(spec, widthOf(el)), spec.data, el);
      plots.push({ plot: plot, el: el, height: spec.height || 260 });
      el.setAttribute('data-drawn', 'true');
      el.setAttribute('data-series-colors', spec.series.map(function (s) { return s.color; }).join(' '));
      drawn++;
    } catch (error) {
      el.textContent = 'This chart could not be drawn: ' + (error && error.message ? error.message : String(error));
      el.className += ' failed';
      console.error('llmbench report: chart ' + spec.id + ' failed', error);
    }
  });
  document.documentElement.setAttribute('data-charts-drawn-ms', String(Math.round(performance.now())));
  document.documentElement.setAttribute('data-charts-drawn', String(drawn));

  var pending = null;
  window.addEventListener('resize', function () {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: widthOf(p.el), height: p.height }); });
    }, 100);
  });
})();
`;
