/**
 * UUID version 7 (RFC 9562, section 5.7): a 48-bit Unix timestamp in
 * milliseconds, then random bits, so ids made later sort later and a log
 * search ordered by request id is ordered by time. Pure: the time and the
 * random bytes are given.
 *
 * Layout, 128 bits: unix_ts_ms (48) | ver = 0111 (4) | rand_a (12) |
 * var = 10 (2) | rand_b (62).
 */

/** Random bytes a UUID v7 needs: 12 + 62 bits, rounded up to whole bytes. */
export const UUID7_RANDOM_BYTES = 10;

const MAX_UNIX_MILLIS = 2 ** 48 - 1;

/** The UUID v7 for `unixMillis` (clamped to 0 .. 2^48-1) and the first `UUID7_RANDOM_BYTES` of `random`, lowercase 8-4-4-4-12. */
export function uuid7(unixMillis: number, random: Uint8Array): string {
  const millis = Math.min(MAX_UNIX_MILLIS, Math.max(0, Math.floor(unixMillis)));
  const time = millis.toString(16).padStart(12, '0');
  const hex = (byte: number) => byte.toString(16).padStart(2, '0');
  const versionAndRandA = `7${(random[0] & 0x0f).toString(16)}${hex(random[1])}`;
  const variantAndRandB = hex((random[2] & 0x3f) | 0x80) + hex(random[3]);
  let tail = '';
  for (let i = 4; i < UUID7_RANDOM_BYTES; i++) tail += hex(random[i]);
  return `${time.slice(0, 8)}-${time.slice(8)}-${versionAndRandA}-${variantAndRandB}-${tail}`;
}
