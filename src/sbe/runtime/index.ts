/**
 * The runtime imported by generated SBE codecs (`zerotick/sbe`): errors, 64-bit helpers, byte
 * copies and the cold string conversions. Everything generated code needs beyond DataView.
 */
export { SbeBoundsError, SbeHeaderError, SbeRangeError, blockError, headerError, nextError } from './errors.js';
export {
  TWO_POW_32,
  getInt64AsNumber,
  getUint64AsNumber,
  setInt64FromNumber,
  setUint64FromNumber,
} from './int64.js';
export { EMPTY_VIEW, copyFromBytes, copyToBytes, fillZero, lengthBeforeNul } from './bytes.js';
export { decodeCharArray, decodeString, encodeCharArray, encodeString } from './strings.js';
