/**
 * The percentile spectrum of every responder on one chart, as plain SVG text (no dependency):
 * x is 1/(1-p) on a log scale, labelled 50% .. 99.999% (HdrHistogram's plotter's axis), y is
 * the latency in microseconds on a log scale, since the tails span decades.
 */
import { SPECTRUM_MAX_DECADE, SPECTRUM_MIN_DECADE } from './latency.js';
import type { SpectrumPoint } from './results.js';

export interface SpectrumSeries {
  name: string;
  points: readonly SpectrumPoint[];
}

const WIDTH = 900;
const HEIGHT = 520;
const MARGIN = { left: 70, right: 220, top: 40, bottom: 50 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
/** Distinct under common colour blindness (Okabe-Ito). */
const COLOURS = ['#000000', '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const X_TICKS: ReadonlyArray<[number, string]> = [
  [50, '50%'],
  [90, '90%'],
  [99, '99%'],
  [99.9, '99.9%'],
  [99.99, '99.99%'],
  [99.999, '99.999%'],
];
/** 1-2-5 steps, in us. */
const Y_STEPS = [1, 2, 5];

function decadeOf(percentile: number): number {
  return -Math.log10(1 - percentile / 100);
}

function xOf(percentile: number): number {
  const fraction = (decadeOf(percentile) - SPECTRUM_MIN_DECADE) / (SPECTRUM_MAX_DECADE - SPECTRUM_MIN_DECADE);
  return MARGIN.left + fraction * PLOT_WIDTH;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The y range in whole decades around every value. */
function yDecades(series: readonly SpectrumSeries[]): [number, number] {
  const values = series.flatMap((one) => one.points.map((point) => Math.max(point.us, 0.1)));
  if (values.length === 0) return [0, 1];
  const low = Math.floor(Math.log10(Math.min(...values)));
  const high = Math.ceil(Math.log10(Math.max(...values)));
  return [low, Math.max(high, low + 1)];
}

export function renderSpectrumSvg(title: string, series: readonly SpectrumSeries[]): string {
  const [lowDecade, highDecade] = yDecades(series);
  const yOf = (us: number): number =>
    MARGIN.top + PLOT_HEIGHT * (1 - (Math.log10(Math.max(us, 0.1)) - lowDecade) / (highDecade - lowDecade));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (const [percentile, label] of X_TICKS) {
    const x = xOf(percentile).toFixed(1);
    parts.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + PLOT_HEIGHT}" stroke="#dddddd"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top + PLOT_HEIGHT + 18}" text-anchor="middle">${label}</text>`);
  }
  for (let decade = lowDecade; decade < highDecade; decade++) {
    for (const step of Y_STEPS) {
      const us = step * 10 ** decade;
      const y = yOf(us).toFixed(1);
      parts.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_WIDTH}" y2="${y}" stroke="${step === 1 ? '#cccccc' : '#eeeeee'}"/>`);
      parts.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${us >= 1 ? us : us.toFixed(1)}</text>`);
    }
  }
  const top = yOf(10 ** highDecade).toFixed(1);
  parts.push(`<text x="${MARGIN.left - 6}" y="${top}" text-anchor="end" dominant-baseline="middle">${10 ** highDecade}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="#888888"/>`);
  parts.push(`<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${HEIGHT - 10}" text-anchor="middle">percentile (log scale of 1/(1-p))</text>`);
  parts.push(`<text transform="translate(18 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">tick-to-trade (us, log scale)</text>`);
  series.forEach((one, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const path = one.points.map((point) => `${xOf(point.percentile).toFixed(1)},${yOf(point.us).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>`);
    const legendY = MARGIN.top + 10 + index * 20;
    const legendX = MARGIN.left + PLOT_WIDTH + 15;
    parts.push(`<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(`<text x="${legendX + 30}" y="${legendY}" dominant-baseline="middle">${escapeXml(one.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
