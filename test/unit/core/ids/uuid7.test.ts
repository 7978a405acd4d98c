import { UUID7_RANDOM_BYTES, uuid7 } from '../../../../src/core/ids/uuid7';

const ZEROS = new Uint8Array(UUID7_RANDOM_BYTES);
const ONES = new Uint8Array(UUID7_RANDOM_BYTES).fill(0xff);

describe('uuid7', () => {
  test.each([
    ['the epoch with zero random bits', 0, ZEROS, '00000000-0000-7000-8000-000000000000'],
    ['the epoch with all random bits set: version and variant still fixed', 0, ONES, '00000000-0000-7fff-bfff-ffffffffffff'],
    ['the RFC 9562 example time, 2022-02-22T19:22:22Z', 0x017f22e279b0, ZEROS, '017f22e2-79b0-7000-8000-000000000000'],
    ['the largest 48-bit time', 2 ** 48 - 1, ZEROS, 'ffffffff-ffff-7000-8000-000000000000'],
    ['a time past 48 bits, clamped', 2 ** 50, ZEROS, 'ffffffff-ffff-7000-8000-000000000000'],
    ['a negative time, clamped to the epoch', -5, ZEROS, '00000000-0000-7000-8000-000000000000'],
    ['a fractional time, floored', 1.9, ZEROS, '00000000-0001-7000-8000-000000000000'],
  ])('%s', (_title, millis, random, expected) => {
    expect(uuid7(millis, random)).toBe(expected);
  });

  test('ids made later sort later, whatever their random bits', () => {
    const earlier = uuid7(1_764_000_000_000, ONES);
    const later = uuid7(1_764_000_000_001, ZEROS);
    expect(earlier < later).toBe(true);
  });

  test('the random bytes fill rand_a and rand_b in order', () => {
    const random = Uint8Array.from([0x0a, 0xbc, 0x3d, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab]);
    expect(uuid7(0, random)).toBe('00000000-0000-7abc-bdef-0123456789ab');
  });
});
