/**
 * HrTime ([seconds, nanoseconds]) as OTLP's `fixed64 *_time_unix_nano`,
 * without BigInt: seconds × 1e9 passes 2^53 for any current date, so the
 * product is built from two parts that each stay exact in a double.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ProtobufWriter } from './protobuf-writer';

const NANOS_PER_SECOND = 1_000_000_000;
const TWO_16 = 0x10000;
const TWO_32 = 0x100000000;

/**
 * Writes seconds × 1e9 + nanoseconds as 64 little-endian bits. seconds is
 * split into its low 16 bits and the rest; each part × 1e9 stays below
 * 2^53 (65,535 × 1e9 ≈ 6.6e13), and the two are recombined with carries.
 * Valid up to [18_446_744_073, 709_551_615], the top of uint64.
 */
export function writeHrTime(writer: ProtobufWriter, time: HrTime): void {
  const seconds = time[0];
  const nanos = time[1];
  const lowPart = (seconds & 0xffff) * NANOS_PER_SECOND;
  const highPart = ((seconds / TWO_16) >>> 0) * NANOS_PER_SECOND;
  const low = (lowPart >>> 0) + (((highPart & 0xffff) * TWO_16) >>> 0) + nanos;
  const carry = Math.floor(low / TWO_32);
  const high = Math.floor(lowPart / TWO_32) + ((highPart / TWO_16) >>> 0) + carry;
  writer.fixed64(low >>> 0, high >>> 0);
}
