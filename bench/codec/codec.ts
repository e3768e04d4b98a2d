/**
 * What the codec bench measures: one message type in one format, as a pair of closures over
 * state prepared once. `decode` reads every field of the bytes `encode` produced at setup and
 * returns their checksum (see content.ts); `encode` writes the whole message from its plain
 * object and returns the number of bytes produced.
 */
export interface Codec {
  /** Format and variant, e.g. 'msgpackr (records)'. */
  readonly name: string;
  /** Bytes of one encoded message. */
  readonly encodedLength: number;
  /** The encoded message `decode` reads (a copy made at setup). */
  readonly encoded: string | Uint8Array;
  readonly encode: () => number;
  readonly decode: () => number;
}

export type MessageKind = 'book46' | 'car';

/**
 * Builds a Codec from an encoder that returns the encoded bytes (or string) and a decoder over
 * them. The bytes decoded are a copy: builders and packers return views of a buffer that the
 * next encode overwrites.
 */
export function codecOverEncodedValue<T extends string | Uint8Array>(
  name: string,
  encodeValue: () => T,
  decodeValue: (encoded: T) => number,
): Codec {
  const first = encodeValue();
  const encoded = (typeof first === 'string' ? first : Buffer.from(first)) as T;
  return {
    name,
    encodedLength: typeof encoded === 'string' ? Buffer.byteLength(encoded) : encoded.length,
    encoded,
    encode: () => encodeValue().length,
    decode: () => decodeValue(encoded),
  };
}
