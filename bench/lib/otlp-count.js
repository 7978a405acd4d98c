'use strict';
// Counts the items in an OTLP/HTTP protobuf request body without decoding
// it: spans, log records or metrics. The three export requests share one
// shape (opentelemetry-proto, collector/*/v1): field 1 holds the resource
// entries, in each of those field 2 holds the scope entries, and in each of
// those field 2 holds the items. So counting field-2 entries three levels
// down is enough, and costs the sink a walk over the bytes, not a parse.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** The number of items in an export request body; `null` if it is not well-formed protobuf. */
function countOtlpItems(bytes) {
  let count = 0;
  const ok = eachLenField(bytes, 0, bytes.length, (field, start, end) => {
    if (field !== 1) return true;
    return eachLenField(bytes, start, end, (scopeField, scopeStart, scopeEnd) => {
      if (scopeField !== 2) return true;
      return eachLenField(bytes, scopeStart, scopeEnd, itemField => {
        if (itemField === 2) count++;
        return true;
      });
    });
  });
  return ok ? count : null;
}

/** Calls `visit(field, start, end)` for each length-delimited field in [pos, end); false on malformed input. */
function eachLenField(bytes, pos, end, visit) {
  while (pos < end) {
    const tag = readVarint(bytes, pos, end);
    if (tag === null) return false;
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    switch (tag.value % 8) {
      case WIRE_VARINT: {
        const skipped = readVarint(bytes, pos, end);
        if (skipped === null) return false;
        pos = skipped.next;
        break;
      }
      case WIRE_FIXED64:
        pos += 8;
        break;
      case WIRE_FIXED32:
        pos += 4;
        break;
      case WIRE_LEN: {
        const length = readVarint(bytes, pos, end);
        if (length === null || length.next + length.value > end) return false;
        if (!visit(field, length.next, length.next + length.value)) return false;
        pos = length.next + length.value;
        break;
      }
      default:
        return false;
    }
  }
  return pos === end;
}

/** A base-128 varint; arithmetic rather than bit operations, so values past 2^31 stay exact. */
function readVarint(bytes, pos, end) {
  let value = 0;
  let scale = 1;
  while (pos < end) {
    const byte = bytes[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: pos };
    scale *= 128;
  }
  return null;
}

module.exports = { countOtlpItems };
