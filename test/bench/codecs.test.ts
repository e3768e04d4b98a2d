import { describe, expect, it } from 'vitest';
import { createBaselineCodecs } from '../../bench/codec/baselines.js';
import { book46, book46Checksum, car, carChecksum } from '../../bench/codec/content.js';

const expected = { book46: book46Checksum(book46), car: carChecksum(car) } as const;

describe('codec bench baselines', () => {
  for (const kind of ['book46', 'car'] as const) {
    for (const codec of createBaselineCodecs(kind)) {
      it(`${codec.name} decodes ${kind} to the same values as the content, and re-encodes the same length`, () => {
        expect(codec.decode()).toBe(expected[kind]);
        expect(codec.encode()).toBe(codec.encodedLength);
        expect(codec.decode()).toBe(expected[kind]);
      });
    }
  }

  it('sees a changed field: checksums are not constant', () => {
    const changed = { ...book46, matchEventIndicator: book46.matchEventIndicator + 1 };
    expect(book46Checksum(changed)).not.toBe(expected.book46);
  });
});
