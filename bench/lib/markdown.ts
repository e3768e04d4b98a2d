/** Markdown pieces for RESULTS.md. */

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], alignRight: readonly boolean[] = []): string {
  const separator = headers.map((_, column) => (alignRight[column] ? '---:' : '---'));
  const lines = [headers, separator, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

export function formatNs(ns: number): string {
  if (ns >= 10_000) {
    return `${(ns / 1000).toFixed(1)} us`;
  }
  return ns >= 100 ? `${ns.toFixed(0)} ns` : `${ns.toFixed(1)} ns`;
}

/** `value` as a multiple of `reference`, e.g. "12.3x". */
export function formatRatio(value: number, reference: number): string {
  const ratio = value / reference;
  return ratio >= 10 ? `${ratio.toFixed(0)}x` : `${ratio.toFixed(2)}x`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) {
    return `${(perSecond / 1e6).toFixed(2)} M/s`;
  }
  return `${(perSecond / 1e3).toFixed(0)} k/s`;
}

export function formatPercent(fraction: number): string {
  if (fraction === 0) {
    return '0';
  }
  return fraction < 0.001 ? `${(fraction * 100).toFixed(3)}%` : `${(fraction * 100).toFixed(1)}%`;
}
