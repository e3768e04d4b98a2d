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

/*
 * Error factories for generated code. A generated check is one condition and one call to one of
 * these; working out which limit was broken happens here, off the hot path, which keeps the
 * generated methods small enough for V8 to inline.
 */

/** A message or group block that is past the region, past the view, or shorter than its fields. */
export function blockError(
  what: string,
  offset: number,
  blockLength: number,
  requiredBlockLength: number,
  bufferEnd: number,
  viewLength: number,
): SbeBoundsError {
  if (bufferEnd > viewLength) return new SbeBoundsError(`${what} region`, 0, bufferEnd, viewLength);
  if (blockLength < requiredBlockLength) {
    return new SbeBoundsError(`${what} fields`, offset, requiredBlockLength, offset + blockLength);
  }
  return new SbeBoundsError(what, offset, blockLength, bufferEnd);
}

/** A header announcing another message than the one being decoded. */
export function headerError(
  what: string,
  offset: number,
  templateId: number,
  expectedTemplateId: number,
  schemaId: number,
  expectedSchemaId: number,
): SbeHeaderError {
  return new SbeHeaderError(
    `${what}: header at offset ${offset} has templateId ${templateId}, schemaId ${schemaId}; ` +
      `expected templateId ${expectedTemplateId}, schemaId ${expectedSchemaId}`,
  );
}

/** `next()` past the last entry, or an entry whose block runs past the region. */
export function nextError(
  what: string,
  index: number,
  count: number,
  offset: number,
  blockLength: number,
  bufferEnd: number,
): RangeError {
  if (index >= count) return new SbeRangeError(`${what} next()`, index, `the ${count} entries`);
  return new SbeBoundsError(what, offset, blockLength, bufferEnd);
}
