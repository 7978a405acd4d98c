/**
 * Attributes as OTLP `repeated KeyValue` (opentelemetry/proto/common/v1):
 * KeyValue { string key = 1; AnyValue value = 2; }, and AnyValue's oneof
 * string_value = 1, bool_value = 2, int_value = 3, double_value = 4,
 * array_value = 5, kvlist_value = 6, bytes_value = 7.
 *
 * Which member a JavaScript value becomes follows the OpenTelemetry
 * serializer exactly, so the bytes are the same: an integral number within
 * int64 is int_value (also beyond 2^53), any other number double_value;
 * null, undefined and other types give an empty AnyValue.
 */
import type { Attributes } from '@opentelemetry/api';
import { SHORT_BYTES, varintSize, writeUtf8 } from './protobuf-writer';
import type { ProtobufWriter } from './protobuf-writer';

// Field keys: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
const KEY_VALUE_KEY = 0x0a;
const KEY_VALUE_VALUE = 0x12;
const ANY_STRING = 0x0a;
const ANY_BOOL = 0x10;
const ANY_INT = 0x18;
const ANY_DOUBLE = 0x21;
const ANY_ARRAY = 0x2a;
const ANY_KVLIST = 0x32;
const ANY_BYTES = 0x3a;
const ARRAY_VALUES = 0x0a;
const KVLIST_VALUES = 0x0a;

/** int64's range: [-(2^63), 2^63). Both bounds are exact doubles. */
const MIN_INT64 = -(2 ** 63);
const MAX_INT64_EXCLUSIVE = 2 ** 63;

/**
 * Per attribute key: its encoded `key = 1` field plus the key byte of
 * `value = 2`, and, while the key has shown few distinct values, whole
 * encoded KeyValues (length prefix included) by value. Most attributes of a
 * server span repeat from request to request (method, scheme, addresses,
 * status code); a key whose values keep changing (a path, a client port, a
 * request id) has its value map dropped after VALUES_PER_KEY of them, and
 * costs one lookup from then on.
 */
interface KeyEntry {
  readonly encodedKey: Uint8Array;
  values: Map<unknown, Uint8Array> | undefined;
}

/**
 * Bounds on what is kept: attribute keys are a small, fixed set in nearly
 * every service, and keys past the bound (an app making keys from data) are
 * encoded each time. KeyValues are kept only for keys under 64 bytes and
 * values under 42 characters: at most 512 × 8 of under 200 bytes each.
 */
const KEY_CACHE_MAX = 512;
const VALUES_PER_KEY = 8;
const keyCache = new Map<string, KeyEntry>();

/**
 * Strings below this many UTF-16 units take the fast path of
 * `writeAttributes`: at most 3 × 41 = 123 bytes, so the string's, the
 * AnyValue's and (with a key below 64 bytes) the KeyValue's lengths are known
 * to fit one, one and two bytes.
 */
const FAST_STRING_UNITS = 42;
const FAST_KEY_BYTES = 64;

/** Writes each own enumerable attribute as a KeyValue under field key `fieldKey` (a one-byte key). */
export function writeAttributes(writer: ProtobufWriter, attributes: Attributes, fieldKey: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const value = attributes[key];
    const entry = keyCache.get(key) ?? keyEntry(key);
    const values = entry.values;
    if (values !== undefined) {
      const encoded = values.get(value);
      if (encoded !== undefined) {
        writer.ensure(encoded.length + 1);
        writer.buf[writer.pos] = fieldKey;
        writer.buf.set(encoded, writer.pos + 1);
        writer.pos += encoded.length + 1;
        continue;
      }
    }
    const start = writer.pos;
    const encodedKey = entry.encodedKey;
    if (typeof value === 'string' && value.length < FAST_STRING_UNITS && encodedKey.length < FAST_KEY_BYTES) {
      writeStringKeyValue(writer, fieldKey, encodedKey, value);
    } else {
      writer.tag1(fieldKey);
      const kvStart = writer.beginLength(1);
      writer.raw(encodedKey);
      const valueStart = writer.beginLength(1);
      writeAnyValue(writer, value);
      writer.endLength(valueStart, 1);
      writer.endLength(kvStart, 1);
    }
    if (values !== undefined && encodedKey.length < FAST_KEY_BYTES && isRepeatable(value)) {
      if (values.size < VALUES_PER_KEY) values.set(value, new Uint8Array(writer.buf.subarray(start + 1, writer.pos)));
      else entry.values = undefined;
    }
  }
}

/** Values whose encoding is kept: numbers, booleans, and strings short enough for the fast path. */
function isRepeatable(value: unknown): boolean {
  const type = typeof value;
  return type === 'number' || type === 'boolean' || (type === 'string' && (value as string).length < FAST_STRING_UNITS);
}

/** The entry for a key not seen before, kept while the cache has room. */
function keyEntry(key: string): KeyEntry {
  const length = Buffer.byteLength(key, 'utf8');
  const encoded = Buffer.alloc(1 + varintSize(length) + length + 1);
  encoded[0] = KEY_VALUE_KEY;
  let pos = 1;
  let v = length;
  while (v > 0x7f) {
    encoded[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  encoded[pos++] = v;
  pos += encoded.write(key, pos, 'utf8');
  encoded[pos] = KEY_VALUE_VALUE;
  const cached = keyCache.size < KEY_CACHE_MAX;
  const entry: KeyEntry = { encodedKey: new Uint8Array(encoded), values: cached ? new Map() : undefined };
  if (cached) keyCache.set(key, entry);
  return entry;
}

/**
 * The common attribute, a short string, written in one go: every length is
 * known to fit its byte but the KeyValue's, which may need a second.
 */
function writeStringKeyValue(writer: ProtobufWriter, fieldKey: number, encodedKey: Uint8Array, value: string): void {
  const keyLength = encodedKey.length;
  const length = value.length;
  writer.ensure(keyLength + 3 * length + 6);
  const buf = writer.buf;
  let pos = writer.pos;
  buf[pos] = fieldKey;
  const keyValueLengthAt = pos + 1;
  pos += 2;
  if (keyLength < SHORT_BYTES) {
    for (let i = 0; i < keyLength; i++) buf[pos + i] = encodedKey[i];
  } else {
    buf.set(encodedKey, pos);
  }
  pos += keyLength;
  const anyValueLengthAt = pos;
  buf[pos + 1] = ANY_STRING;
  const stringLengthAt = pos + 2;
  pos += 3;
  let written = 0;
  if (length < SHORT_BYTES) {
    for (; written < length; written++) {
      const code = value.charCodeAt(written);
      if (code > 0x7f) break;
      buf[pos + written] = code;
    }
    if (written < length) written = writeUtf8(buf, value, pos);
  } else {
    written = writeUtf8(buf, value, pos);
  }
  pos += written;
  buf[stringLengthAt] = written;
  buf[anyValueLengthAt] = written + 2;
  const keyValueLength = pos - keyValueLengthAt - 1;
  if (keyValueLength < 0x80) {
    buf[keyValueLengthAt] = keyValueLength;
  } else {
    buf.copyWithin(keyValueLengthAt + 2, keyValueLengthAt + 1, pos);
    buf[keyValueLengthAt] = (keyValueLength & 0x7f) | 0x80;
    buf[keyValueLengthAt + 1] = keyValueLength >>> 7;
    pos++;
  }
  writer.pos = pos;
}

/** An AnyValue's body. */
export function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag1(ANY_STRING);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag1(ANY_BOOL);
      writer.tag1(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64_EXCLUSIVE) {
        writer.tag1(ANY_INT);
        writer.varint(value);
      } else {
        writer.tag1(ANY_DOUBLE);
        writer.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.tag1(ANY_BYTES);
        writer.bytes(value);
      } else if (Array.isArray(value)) {
        writer.tag1(ANY_ARRAY);
        const start = writer.beginLength(1);
        for (const item of value) {
          writer.tag1(ARRAY_VALUES);
          const itemStart = writer.beginLength(1);
          writeAnyValue(writer, item);
          writer.endLength(itemStart, 1);
        }
        writer.endLength(start, 1);
      } else {
        writer.tag1(ANY_KVLIST);
        const start = writer.beginLength(1);
        writeAttributes(writer, value as Attributes, KVLIST_VALUES);
        writer.endLength(start, 1);
      }
      return;
    default:
      // undefined, functions, symbols, bigints: an empty AnyValue.
      return;
  }
}
