/**
 * The latency page served at `/`: the percentile spectrum of every stage (x: 1/(1-p) on a log
 * scale labelled 50% .. 99.999%, y: microseconds, log scale too), drawn as inline SVG by the script below from
 * GET /latency/:stage.hgrm, with the GET /latency summary table beside it; both refresh every
 * second. Everything is in this one document: the gateway serves it, nothing comes from a CDN.
 */
import { STAGE_NAMES } from '../metrics/stage-latency.js';

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 12px; }
main { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
svg { background: #fff; border: 1px solid #ccc; }
.axis { stroke: #444; } .grid { stroke: #e4e4e4; } text { font-size: 11px; fill: #444; }
table { border-collapse: collapse; } th, td { padding: 3px 8px; text-align: right; border-bottom: 1px solid #ddd; }
th:first-child, td:first-child { text-align: left; } .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
#updated { color: #777; margin-top: 8px; }
`;

/** Runs in the browser: fetch, parse the .hgrm text, draw. Plain ES2020, no dependency. */
const SCRIPT = `
const STAGES = ${JSON.stringify(STAGE_NAMES)};
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const WIDTH = 760, HEIGHT = 440, LEFT = 64, RIGHT = 16, TOP = 16, BOTTOM = 40;
const X_TICKS = [[2, '50%'], [10, '90%'], [100, '99%'], [1e3, '99.9%'], [1e4, '99.99%'], [1e5, '99.999%']];
const X_MAX = 1e6;
const SVG = 'http://www.w3.org/2000/svg';
const COLUMNS = ['count', 'min', 'mean', 'p50', 'p90', 'p99', 'p999', 'p9999', 'max'];

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Rows of outputPercentileDistribution: [value (us), 1/(1-p)], the last (p = 100%) dropped. */
function parseHgrm(text) {
  const points = [];
  for (const line of text.split('\\n')) {
    const fields = line.trim().split(/\\s+/);
    if (fields.length !== 4 || !/^[0-9.]+$/.test(fields[0])) continue;
    const inverse = Number(fields[3]);
    if (Number.isFinite(inverse)) points.push([Number(fields[0]), inverse]);
  }
  return points;
}

/** Powers of ten around the values: the y axis is logarithmic, as tails span decades. */
function decades(values) {
  const low = Math.floor(Math.log10(Math.max(0.01, Math.min(...values))));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...values))));
  return [low, high];
}

function draw(series) {
  const svg = document.getElementById('plot');
  svg.replaceChildren();
  const values = series.flatMap((s) => s.points.map((p) => p[0])).filter((v) => v > 0);
  const [low, high] = values.length > 0 ? decades(values) : [0, 3];
  const x = (inverse) => LEFT + (Math.log10(Math.max(1, inverse)) / Math.log10(X_MAX)) * (WIDTH - LEFT - RIGHT);
  const y = (micros) => HEIGHT - BOTTOM - ((Math.log10(Math.max(micros, Math.pow(10, low))) - low) / (high - low)) * (HEIGHT - TOP - BOTTOM);
  for (const [inverse, label] of X_TICKS) {
    svg.append(svgElement('line', { class: 'grid', x1: x(inverse), x2: x(inverse), y1: TOP, y2: HEIGHT - BOTTOM }));
    svg.append(svgElement('text', { x: x(inverse), y: HEIGHT - BOTTOM + 14, 'text-anchor': 'middle' }, label));
  }
  for (let decade = low; decade <= high; decade++) {
    const micros = Math.pow(10, decade);
    svg.append(svgElement('line', { class: 'grid', x1: LEFT, x2: WIDTH - RIGHT, y1: y(micros), y2: y(micros) }));
    svg.append(svgElement('text', { x: LEFT - 6, y: y(micros) + 4, 'text-anchor': 'end' }, String(Number(micros.toPrecision(3)))));
  }
  svg.append(svgElement('line', { class: 'axis', x1: LEFT, x2: WIDTH - RIGHT, y1: HEIGHT - BOTTOM, y2: HEIGHT - BOTTOM }));
  svg.append(svgElement('line', { class: 'axis', x1: LEFT, x2: LEFT, y1: TOP, y2: HEIGHT - BOTTOM }));
  svg.append(svgElement('text', { x: (LEFT + WIDTH) / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, 'percentile'));
  svg.append(svgElement('text', { x: 14, y: (TOP + HEIGHT) / 2, transform: 'rotate(-90 14 ' + (TOP + HEIGHT) / 2 + ')', 'text-anchor': 'middle' }, 'latency (µs)'));
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => (i === 0 ? 'M' : 'L') + x(p[1]).toFixed(1) + ' ' + y(p[0]).toFixed(1)).join(' ');
    svg.append(svgElement('path', { class: 'series', 'data-stage': s.stage, d, fill: 'none', stroke: s.color, 'stroke-width': 1.5 }));
  }
}

function fillTable(summaries) {
  const body = document.querySelector('#summary tbody');
  body.replaceChildren();
  STAGES.forEach((stage, index) => {
    const summary = summaries[stage];
    const row = document.createElement('tr');
    row.dataset.stage = stage;
    const name = document.createElement('td');
    name.innerHTML = '<span class="swatch" style="background:' + COLORS[index] + '"></span>';
    name.append(stage);
    row.append(name);
    for (const column of COLUMNS) {
      const cell = document.createElement('td');
      cell.textContent = summary === undefined ? '' : String(summary[column]);
      row.append(cell);
    }
    body.append(row);
  });
}

async function refresh() {
  try {
    const summaries = await (await fetch('latency')).json();
    const series = await Promise.all(STAGES.map(async (stage, index) => {
      const count = summaries[stage] ? summaries[stage].count : 0;
      const points = count > 0 ? parseHgrm(await (await fetch('latency/' + stage + '.hgrm')).text()) : [];
      return { stage, color: COLORS[index], points };
    }));
    fillTable(summaries);
    draw(series);
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (error) {
    document.getElementById('updated').textContent = 'refresh failed: ' + error;
  }
}

refresh();
setInterval(refresh, 1000);
`;

const HEADER_CELLS = ['stage', 'count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max']
  .map((name) => `<th>${name}</th>`)
  .join('');

export const LATENCY_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>zerotick latency</title>
<style>${STYLE}</style>
</head>
<body>
<h1>zerotick: hot-path latency by stage (percentile spectrum, since start or the last reset)</h1>
<main>
<svg id="plot" width="760" height="440" viewBox="0 0 760 440" role="img" aria-label="latency percentile spectrum"></svg>
<section>
<table id="summary"><thead><tr>${HEADER_CELLS}</tr></thead><tbody></tbody></table>
<p>Times in microseconds. Raw data: <a href="latency">/latency</a>, <a href="latency/tick_to_trade.hgrm">tick_to_trade.hgrm</a>, <a href="latency/tick_to_trade.hlog">tick_to_trade.hlog</a>, <a href="metrics">/metrics</a>.</p>
<div id="updated"></div>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
