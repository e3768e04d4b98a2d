/** Human-readable figures for the record and replay summaries (cold path: allocates strings). */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** 1234567 -> "1.23 MB" (decimal units, as network rates are counted). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/** Nanoseconds -> "1.234 s". */
export function formatSeconds(nanoseconds: number): string {
  return `${(nanoseconds / 1e9).toFixed(3)} s`;
}

/** Events over nanoseconds -> "123,456 packets/s". */
export function formatRate(count: number, nanoseconds: number, unit: string): string {
  if (nanoseconds <= 0) return `- ${unit}/s`;
  return `${Math.round((count * 1e9) / nanoseconds).toLocaleString('en-US')} ${unit}/s`;
}

/** Bytes over nanoseconds -> "84.02 Mbit/s". */
export function formatBitRate(bytes: number, nanoseconds: number): string {
  if (nanoseconds <= 0) return '- bit/s';
  return `${((bytes * 8 * 1e3) / nanoseconds).toFixed(2)} Mbit/s`;
}

/** Nanoseconds -> microseconds with one decimal: "12.3 us". */
export function formatMicros(nanoseconds: number): string {
  return `${(nanoseconds / 1000).toFixed(1)} us`;
}
