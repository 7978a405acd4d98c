/**
 * A growable buffer that writes the protobuf wire format
 * (https://protobuf.dev/programming-guides/encoding/): varints, fixed32,
 * fixed64, doubles, strings and bytes, and length-delimited messages whose
 * lengths are written in their minimal size.
 *
 * One writer is meant to be reused: `reset()` starts a new message in the
 * same memory, and `finish()` copies the result out at its exact length, so
 * steady-state encoding allocates only that copy.
 */

/** Large enough for a 512-span batch of server spans (about 260 kB) after one growth. */
const INITIAL_SIZE = 64 * 1024;

/** A buffer grown beyond this by one large batch is dropped at the next reset rather than kept for the process's life. */
const KEEP_AT_MOST = 4 * 1024 * 1024;

/** 2^32, to split numbers into 32-bit halves without BigInt. */
const TWO_32 = 0x100000000;

export class ProtobufWriter {
  buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  pos = 0;
  private readonly float = new Float64Array(1);
  private readonly floatBytes = new Uint8Array(this.float.buffer);

  /** Starts a new message; keeps the memory unless one batch made it very large. */
  reset(): void {
    if (this.buf.length > KEEP_AT_MOST) this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
    this.pos = 0;
  }

  /** The bytes written since `reset()`, copied into their own array. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /** Makes room for `size` more bytes. */
  ensure(size: number): void {
    const needed = this.pos + size;
    if (needed <= this.buf.length) return;
    let length = this.buf.length * 2;
    while (length < needed) length *= 2;
    const grown = Buffer.allocUnsafe(length);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A field key whose varint is one byte: field numbers 1–15. */
  tag1(key: number): void {
    this.ensure(1);
    this.buf[this.pos++] = key;
  }

  /**
   * A varint. Numbers in [0, 2^32) take the 32-bit path; anything else is
   * written as its 64-bit two's complement (ten bytes when negative).
   * Fractions are truncated, and undefined or NaN come out as 0.
   */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
      this.pos = pos;
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / TWO_32) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / TWO_32) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[pos++] = low & 0x7f;
    this.pos = pos;
  }

  /** Little-endian 32 bits. */
  fixed32(value: number): void {
    this.ensure(4);
    const v = value >>> 0;
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = v & 0xff;
    buf[pos + 1] = (v >>> 8) & 0xff;
    buf[pos + 2] = (v >>> 16) & 0xff;
    buf[pos + 3] = v >>> 24;
    this.pos = pos + 4;
  }

  /** Little-endian 64 bits, given as two 32-bit halves. */
  fixed64(low: number, high: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    const l = low >>> 0;
    const h = high >>> 0;
    buf[pos] = l & 0xff;
    buf[pos + 1] = (l >>> 8) & 0xff;
    buf[pos + 2] = (l >>> 16) & 0xff;
    buf[pos + 3] = l >>> 24;
    buf[pos + 4] = h & 0xff;
    buf[pos + 5] = (h >>> 8) & 0xff;
    buf[pos + 6] = (h >>> 16) & 0xff;
    buf[pos + 7] = h >>> 24;
    this.pos = pos + 8;
  }

  /** An IEEE 754 double, little-endian (the byte order of every platform Node runs on is checked below). */
  double(value: number): void {
    this.ensure(8);
    this.float[0] = value;
    const bytes = this.floatBytes;
    const buf = this.buf;
    const pos = this.pos;
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < 8; i++) buf[pos + i] = bytes[i];
    } else {
      for (let i = 0; i < 8; i++) buf[pos + i] = bytes[7 - i];
    }
    this.pos = pos + 8;
  }

  /**
   * A length-prefixed UTF-8 string. Short strings are copied by a loop while
   * they are ASCII; anything else goes through Buffer's native UTF-8 encoder
   * (a loop over characters costs more from about 16 of them, and more again
   * on the concatenated strings attribute values often are). Buffer's
   * encoder, like TextEncoder, writes a lone surrogate as U+FFFD.
   */
  string(value: string): void {
    const length = value.length;
    if (length < SHORT_BYTES) {
      this.ensure(length + 1);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) break;
        buf[pos++] = code;
      }
      if (i === length) {
        buf[start] = length;
        this.pos = pos;
        return;
      }
    }
    if (length < ONE_BYTE_LENGTH_UNITS) {
      // At most 3 bytes per UTF-16 unit, so the length fits the one byte reserved for it.
      this.ensure(3 * length + 1);
      const written = writeUtf8(this.buf, value, this.pos + 1);
      this.buf[this.pos] = written;
      this.pos += 1 + written;
      return;
    }
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.varint(byteLength);
    this.ensure(byteLength);
    this.pos += writeUtf8(this.buf, value, this.pos);
  }

  /** Length-prefixed bytes. */
  bytes(value: Uint8Array): void {
    const length = value.length;
    this.varint(length);
    this.raw(value);
  }

  /** Bytes already encoded, copied as they are. */
  raw(value: Uint8Array): void {
    const length = value.length;
    this.ensure(length);
    const buf = this.buf;
    const pos = this.pos;
    if (length < SHORT_BYTES) {
      for (let i = 0; i < length; i++) buf[pos + i] = value[i];
    } else {
      buf.set(value, pos);
    }
    this.pos = pos + length;
  }

  /** Bytes already encoded and kept one per character (latin1), copied as they are. */
  latin1(value: string): void {
    const length = value.length;
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, length, 'latin1');
  }

  /**
   * Starts a length-delimited body: reserves `reserve` bytes for its length,
   * the size it will most likely need. Returns where the body starts.
   */
  beginLength(reserve: number): number {
    this.ensure(reserve);
    this.pos += reserve;
    return this.pos;
  }

  /**
   * Writes the length of the body begun at `start` in front of it, in its
   * minimal size, moving the body when that size is not what was reserved.
   */
  endLength(start: number, reserve: number): void {
    const length = this.pos - start;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(start - reserve + size, start, this.pos);
      this.pos += size - reserve;
    }
    const buf = this.buf;
    let at = start - reserve;
    let v = length;
    while (v > 0x7f) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at] = v;
  }
}

/** Bytes in the varint of a length (lengths are below 2^31: Buffer's limit). */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Below this many characters (or bytes), a JavaScript loop copies faster than a native call. */
export const SHORT_BYTES = 16;

/** Strings shorter than this many UTF-16 units take at most 3 × 42 = 126 bytes: a one-byte length. */
const ONE_BYTE_LENGTH_UNITS = 43;

interface Utf8Writable {
  utf8Write?(value: string, offset: number, length?: number): number;
}

/**
 * Writes `value` as UTF-8 at `offset`, returning the bytes written; the
 * caller has made room. `utf8Write` is the method behind `buf.write(…,
 * 'utf8')` without its argument handling; `write` where it is missing.
 */
export const writeUtf8: (buf: Buffer, value: string, offset: number) => number =
  typeof (Buffer.prototype as Utf8Writable).utf8Write === 'function'
    ? (buf, value, offset) => (buf as Utf8Writable).utf8Write!(value, offset)
    : (buf, value, offset) => buf.write(value, offset, 'utf8');

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
