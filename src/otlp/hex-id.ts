/**
 * Trace and span ids, held by the SDK as hex strings, written as the raw
 * bytes OTLP carries (`bytes trace_id`, `bytes span_id`).
 */
import type { ProtobufWriter } from './protobuf-writer';

/**
 * Nibble value per character code below 128: 0–9, a–f and A–F as hex.
 * Other characters get `code - 55` (the A–F rule carried on), and the byte
 * keeps its low 8 bits: for an id that is not hex, these are the bytes the
 * OpenTelemetry serializer sends too, so the two agree on any input.
 */
function nibble(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code - 55;
}

/** The byte for each pair of characters below 128, indexed by `first << 7 | second`: one lookup per byte. */
const PAIR = new Uint8Array(128 * 128);
for (let first = 0; first < 128; first++) {
  for (let second = 0; second < 128; second++) PAIR[(first << 7) | second] = ((nibble(first) << 4) | nibble(second)) & 0xff;
}

/** A length-prefixed `bytes` field body from a hex id: one byte per pair of characters (a trailing odd character is dropped). */
export function writeHexId(writer: ProtobufWriter, id: string): void {
  const count = id.length >>> 1;
  writer.varint(count);
  writer.ensure(count);
  const buf = writer.buf;
  let pos = writer.pos;
  for (let i = 0; i < count; i++) {
    const first = id.charCodeAt(2 * i);
    const second = id.charCodeAt(2 * i + 1);
    buf[pos++] = (first | second) < 128 ? PAIR[(first << 7) | second] : ((nibble(first) << 4) | nibble(second)) & 0xff;
  }
  writer.pos = pos;
}
