/** IPv4 addresses as unsigned 32-bit numbers in host order: how the native side and captures hand them over. */

/** Dotted-quad text of an address (cold path: allocates a string). */
export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** The unsigned 32-bit number of a dotted-quad address; throws on anything else. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) {
    throw new Error(`not an IPv4 address: ${JSON.stringify(text)}`);
  }
  return parts.reduce((address, part) => address * 256 + Number(part), 0);
}
