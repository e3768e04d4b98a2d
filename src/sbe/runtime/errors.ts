/**
 * Errors raised by generated SBE codecs. They are built only on the failure path, so the
 * checks that precede every read cost one comparison and no allocation.
 */

/**
 * A read or write would leave the wrapped region: a truncated message, a group count or a
 * var-data length that runs past the end of the buffer, or a block shorter than its fields.
 * `what` names the message and field (`Car.fuelFigures`), `offset` is where the access starts.
 */
export class SbeBoundsError extends RangeError {
  readonly what: string;
  readonly offset: number;
  readonly length: number;
  readonly bufferEnd: number;

  constructor(what: string, offset: number, length: number, bufferEnd: number) {
    super(`${what}: ${length} bytes at offset ${offset} run past the end of the region at ${bufferEnd}`);
    this.name = 'SbeBoundsError';
    this.what = what;
    this.offset = offset;
    this.length = length;
    this.bufferEnd = bufferEnd;
  }
}

/** A message header does not describe the message being decoded (wrong template or schema id). */
export class SbeHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SbeHeaderError';
  }
}

/** Thrown for programmer errors: an array index or group count outside what the schema allows. */
export class SbeRangeError extends RangeError {
  constructor(what: string, value: number | string, allowed: string) {
    super(`${what}: ${value} is outside ${allowed}`);
    this.name = 'SbeRangeError';
  }
}
