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
 * Encoded `key = 1` fields plus the `value = 2` key byte, per attribute key.
 * Attribute keys are a small, fixed set in nearly every service; the bound
 * keeps an app that makes keys from data from growing it without end (keys
 * past it are encoded each time).
 */
const KEY_CACHE_MAX = 1024;
const keyCache = new Map<string, Uint8Array>();

/** Writes each own enumerable attribute as a KeyValue under field key `fieldKey` (a one-byte key). */
export function writeAttributes(writer: ProtobufWriter, attributes: Attributes, fieldKey: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    writer.tag1(fieldKey);
    const start = writer.beginLength(1);
    writeKeyValue(writer, key, attributes[key]);
    writer.endLength(start, 1);
  }
}

function writeKeyValue(writer: ProtobufWriter, key: string, value: unknown): void {
  let encodedKey = keyCache.get(key);
  if (encodedKey === undefined) {
    const start = writer.pos;
    writer.tag1(KEY_VALUE_KEY);
    writer.string(key);
    writer.tag1(KEY_VALUE_VALUE);
    if (keyCache.size < KEY_CACHE_MAX) keyCache.set(key, new Uint8Array(writer.buf.subarray(start, writer.pos)));
  } else {
    writer.raw(encodedKey);
  }
  const start = writer.beginLength(1);
  writeAnyValue(writer, value);
  writer.endLength(start, 1);
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
