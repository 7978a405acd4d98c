/**
 * The protobuf wire format (protobuf.dev/programming-guides/encoding): varints,
 * fixed-width values, length-delimited fields, and skipping what a reader does
 * not know. Just enough for the OTLP trace decoder next to it; every malformed
 * input throws.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8');

export class WireReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A 64-bit varint as an unsigned bigint; callers reinterpret the sign where the schema says int64. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    // Ten bytes carry 70 bits, enough for any 64-bit value; more means corrupt input.
    for (let i = 0; i < 10; i++) {
      const byte = this.byteAt(this.pos++);
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new Error(`protobuf: varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** Tags and lengths: values that must fit comfortably in a JS number. */
  smallVarint(): number {
    const value = this.varint();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`protobuf: varint ${value} too large for a tag or length`);
    }
    return Number(value);
  }

  fixed64(): bigint {
    this.need(8);
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  fixed32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  bytes(): Uint8Array {
    const length = this.smallVarint();
    this.need(length);
    const slice = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  tag(): { field: number; wireType: number } {
    const key = this.smallVarint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new Error(`protobuf: field number 0 at offset ${this.pos}`);
    return { field, wireType: key % 8 };
  }

  /** Skips one field whose tag has just been read, so newer senders' extra fields do no harm. */
  skip(field: number, wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
        // Proto2 groups are obsolete but still legal on the wire: skip nested fields up to the matching end tag.
        for (;;) {
          if (this.done) throw new Error(`protobuf: unterminated group ${field}`);
          const inner = this.tag();
          if (inner.wireType === WIRE_END_GROUP) {
            if (inner.field !== field) throw new Error(`protobuf: group ${field} closed by ${inner.field}`);
            return;
          }
          this.skip(inner.field, inner.wireType);
        }
      default:
        throw new Error(`protobuf: unexpected wire type ${wireType} for field ${field} at offset ${this.pos}`);
    }
  }

  private need(count: number): void {
    if (this.pos + count > this.buf.length) {
      throw new Error(`protobuf: truncated input, need ${count} bytes at offset ${this.pos} of ${this.buf.length}`);
    }
  }

  private byteAt(index: number): number {
    if (index >= this.buf.length) throw new Error(`protobuf: truncated varint at offset ${index}`);
    return this.buf[index];
  }
}

/**
 * Walks the fields of one message. The handler reads the fields it knows and returns
 * true; anything it declines (unknown field, or a known field with an unexpected wire
 * type) is skipped, which is how proto3 parsers treat them.
 */
export function readFields(bytes: Uint8Array, handler: (field: number, wireType: number, reader: WireReader) => boolean): void {
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (wireType === WIRE_END_GROUP) throw new Error(`protobuf: unexpected end of group ${field}`);
    if (!handler(field, wireType, reader)) reader.skip(field, wireType);
  }
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
