/**
 * A fresh copy of a self-contained function, with its own inline caches.
 *
 * Walking a decoded object is part of decoding it. If JSON objects, protobufjs messages and
 * msgpackr records all went through one shared walker, its property loads would turn
 * megamorphic and every format would pay for the others. Compiling the same source once per
 * format (the label makes each source distinct, so V8 shares nothing) keeps each copy
 * monomorphic, as a walker written for that format alone would be. The function must not
 * reference anything outside itself.
 */
export function monomorphicCopy<F extends (...args: never[]) => unknown>(fn: F, label: string): F {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`return (${fn.toString()}); // copy for ${label}`)() as F;
}
