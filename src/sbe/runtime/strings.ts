/**
 * String conversions for char arrays and var data. These allocate (a string, or a byte array
 * when encoding) and are meant for the cold path: tools, logs, tests. Hot code copies bytes with
 * the generated `getXxx(dst, dstOffset)` / `putXxx(src, srcOffset, ...)` accessors instead.
 *
 * Single-byte encodings (ASCII, US-ASCII, ISO-8859-1, Latin-1) map one byte to one code unit;
 * everything else goes through TextDecoder/TextEncoder as UTF-8.
 */
import { copyFromBytes, fillZero, lengthBeforeNul } from './bytes.js';
import { SbeRangeError } from './errors.js';

const SINGLE_BYTE_ENCODINGS = new Set(['ascii', 'us-ascii', 'iso-8859-1', 'iso_8859_1', 'latin1', 'latin-1']);
const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function isSingleByte(characterEncoding: string): boolean {
  return SINGLE_BYTE_ENCODINGS.has(characterEncoding.toLowerCase());
}

/** Decodes `length` bytes at `offset` as a string in the given encoding. */
export function decodeString(view: DataView, offset: number, length: number, characterEncoding: string): string {
  if (isSingleByte(characterEncoding)) {
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(view.getUint8(offset + i));
    return text;
  }
  return utf8Decoder.decode(new Uint8Array(view.buffer, view.byteOffset + offset, length));
}

/** Decodes a fixed-length char array, cut at the first NUL (SBE pads short values with NUL). */
export function decodeCharArray(view: DataView, offset: number, length: number, characterEncoding: string): string {
  return decodeString(view, offset, lengthBeforeNul(view, offset, length), characterEncoding);
}

/** Encodes a string to bytes in the given encoding; a code unit above 0xFF in a single-byte encoding becomes '?'. */
export function encodeString(value: string, characterEncoding: string): Uint8Array {
  if (!isSingleByte(characterEncoding)) return utf8Encoder.encode(value);
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    bytes[i] = code > 0xff ? 0x3f : code;
  }
  return bytes;
}

/**
 * Writes a string into a fixed-length char array, padding with NUL. A value longer than the
 * array is an error rather than a silent cut, so a wrong symbol never reaches the wire.
 */
export function encodeCharArray(
  view: DataView,
  offset: number,
  length: number,
  value: string,
  characterEncoding: string,
  what: string,
): void {
  const bytes = encodeString(value, characterEncoding);
  if (bytes.length > length) throw new SbeRangeError(what, `"${value}" (${bytes.length} bytes)`, `${length} bytes`);
  copyFromBytes(view, offset, bytes, 0, bytes.length);
  fillZero(view, offset + bytes.length, length - bytes.length);
}
