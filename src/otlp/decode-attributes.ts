/**
 * OTLP's common values (opentelemetry-proto, common/v1): AnyValue, KeyValue,
 * ArrayValue and KeyValueList, decoded from the protobuf wire format into the
 * closest JavaScript shapes. Used for the attributes of resources, spans,
 * events and links (otlp-protobuf.ts).
 */
import { readFields, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire-reader';

/** An attribute value as sent in an OTLP AnyValue, in the closest JavaScript shape. */
export type ReceivedAttributeValue = string | number | boolean | unknown[] | { [key: string]: unknown } | Uint8Array;

export type ReceivedAttributes = Record<string, ReceivedAttributeValue>;

/** AnyValue with no member set is "empty" in OTLP; null is its JavaScript spelling. */
function decodeAnyValue(bytes: Uint8Array): ReceivedAttributeValue | null {
  let value: ReceivedAttributeValue | null = null;
  // AnyValue is a oneof: the last member on the wire wins, as in any protobuf parser.
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_LEN) value = r.string();
    else if (field === 2 && wireType === WIRE_VARINT) value = r.varint() !== 0n;
    else if (field === 3 && wireType === WIRE_VARINT) value = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 4 && wireType === WIRE_FIXED64) value = r.double();
    else if (field === 5 && wireType === WIRE_LEN) value = decodeArrayValue(r.bytes());
    else if (field === 6 && wireType === WIRE_LEN) value = decodeKeyValueList(r.bytes());
    else if (field === 7 && wireType === WIRE_LEN) value = r.bytes().slice();
    else return false;
    return true;
  });
  return value;
}

function decodeArrayValue(bytes: Uint8Array): unknown[] {
  const values: unknown[] = [];
  readFields(bytes, (field, wireType, r) => {
    if (field !== 1 || wireType !== WIRE_LEN) return false;
    values.push(decodeAnyValue(r.bytes()));
    return true;
  });
  return values;
}

function decodeKeyValueList(bytes: Uint8Array): { [key: string]: unknown } {
  const result: { [key: string]: unknown } = {};
  readFields(bytes, (field, wireType, r) => {
    if (field !== 1 || wireType !== WIRE_LEN) return false;
    const [key, value] = decodeKeyValue(r.bytes());
    result[key] = value;
    return true;
  });
  return result;
}

function decodeKeyValue(bytes: Uint8Array): [string, ReceivedAttributeValue | null] {
  let key = '';
  let value: ReceivedAttributeValue | null = null;
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_LEN) key = r.string();
    else if (field === 2 && wireType === WIRE_LEN) value = decodeAnyValue(r.bytes());
    else return false;
    return true;
  });
  return [key, value];
}

/** Adds one repeated KeyValue entry; an empty value carries nothing, so the key is left out. */
export function addAttribute(target: ReceivedAttributes, bytes: Uint8Array): void {
  const [key, value] = decodeKeyValue(bytes);
  if (value !== null) target[key] = value;
}
