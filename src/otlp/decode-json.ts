/**
 * Normalises an OTLP/JSON trace request (what `tracehop view` receives) into the same shapes the protobuf decoder
 * produces, so the viewer and the tests need not care which protocol carried them.
 *
 * OTLP/JSON differs from the canonical proto3 JSON mapping in ways that matter here:
 * trace and span ids are hex strings (not base64), enums are integers, and 64-bit
 * integers may arrive either as JSON numbers or as decimal strings.
 */
import {
  serviceNameOf,
  type ReceivedAttributes,
  type ReceivedAttributeValue,
  type ReceivedEvent,
  type ReceivedLink,
  type ReceivedResourceSpans,
  type ReceivedSpan,
} from './decode-protobuf';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  return isObject(value) ? value : {};
}

function arrayAt(parent: JsonObject, key: string): unknown[] {
  const value = parent[key];
  return Array.isArray(value) ? value : [];
}

function stringAt(parent: JsonObject, key: string): string {
  const value = parent[key];
  return typeof value === 'string' ? value : '';
}

/** 64-bit integers: JSON numbers from JavaScript senders, decimal strings from spec-following ones. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return 0;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  return 0n;
}

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODE_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/** OTLP/JSON requires integer enums, but proto3 JSON parsers also accept names; both are read. */
function toEnum(value: unknown, names: Record<string, number>): number {
  if (typeof value === 'string' && value in names) return names[value];
  return toNumber(value);
}

function normaliseId(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

function decodeAnyValue(value: unknown): ReceivedAttributeValue | null {
  if (!isObject(value)) return null;
  if ('stringValue' in value) return stringAt(value, 'stringValue');
  if ('boolValue' in value) return value.boolValue === true;
  if ('intValue' in value) return toNumber(value.intValue);
  // proto3 JSON spells the non-finite doubles as the strings "NaN", "Infinity" and "-Infinity".
  if ('doubleValue' in value) return toNumber(value.doubleValue);
  if ('arrayValue' in value) return arrayAt(objectAt(value, 'arrayValue'), 'values').map(decodeAnyValue);
  if ('kvlistValue' in value) {
    const result: { [key: string]: unknown } = {};
    for (const entry of arrayAt(objectAt(value, 'kvlistValue'), 'values')) {
      if (isObject(entry)) result[stringAt(entry, 'key')] = decodeAnyValue(entry.value);
    }
    return result;
  }
  if ('bytesValue' in value) return new Uint8Array(Buffer.from(stringAt(value, 'bytesValue'), 'base64'));
  return null;
}

/** An empty AnyValue carries nothing, so its key is left out, as the protobuf decoder does. */
function decodeAttributes(list: unknown[]): ReceivedAttributes {
  const attributes: ReceivedAttributes = {};
  for (const entry of list) {
    if (!isObject(entry)) continue;
    const value = decodeAnyValue(entry.value);
    if (value !== null) attributes[stringAt(entry, 'key')] = value;
  }
  return attributes;
}

function decodeLink(link: JsonObject): ReceivedLink {
  return {
    traceId: normaliseId(link.traceId),
    spanId: normaliseId(link.spanId),
    attributes: decodeAttributes(arrayAt(link, 'attributes')),
  };
}

function decodeEvent(event: JsonObject): ReceivedEvent {
  return {
    name: stringAt(event, 'name'),
    timeUnixNano: toBigInt(event.timeUnixNano),
    attributes: decodeAttributes(arrayAt(event, 'attributes')),
  };
}

function decodeSpan(span: JsonObject, service: string, scope: JsonObject): ReceivedSpan {
  const status = objectAt(span, 'status');
  const parentSpanId = normaliseId(span.parentSpanId);
  return {
    service,
    traceId: normaliseId(span.traceId),
    spanId: normaliseId(span.spanId),
    parentSpanId: parentSpanId === '' ? undefined : parentSpanId,
    name: stringAt(span, 'name'),
    kind: toEnum(span.kind, SPAN_KIND_NAMES),
    startTimeUnixNano: toBigInt(span.startTimeUnixNano),
    endTimeUnixNano: toBigInt(span.endTimeUnixNano),
    attributes: decodeAttributes(arrayAt(span, 'attributes')),
    links: arrayAt(span, 'links').filter(isObject).map(decodeLink),
    events: arrayAt(span, 'events').filter(isObject).map(decodeEvent),
    statusCode: toEnum(status.code, STATUS_CODE_NAMES),
    statusMessage: stringAt(status, 'message'),
    traceState: stringAt(span, 'traceState'),
    flags: toNumber(span.flags),
    scope: stringAt(scope, 'name'),
    scopeVersion: stringAt(scope, 'version'),
  };
}

/**
 * Normalises a parsed OTLP/JSON ExportTraceServiceRequest. Missing or mistyped
 * members fall back to their proto3 defaults rather than throwing, mirroring how a
 * protobuf parser treats absent fields; a body that is not an object is an error.
 */
export function decodeJsonExportTraceServiceRequest(body: unknown): ReceivedResourceSpans[] {
  if (!isObject(body)) throw new Error('OTLP/JSON: request body is not a JSON object');
  return arrayAt(body, 'resourceSpans')
    .filter(isObject)
    .map(resourceSpans => {
      const resourceAttributes = decodeAttributes(arrayAt(objectAt(resourceSpans, 'resource'), 'attributes'));
      const service = serviceNameOf(resourceAttributes);
      const spans = arrayAt(resourceSpans, 'scopeSpans')
        .filter(isObject)
        .flatMap(scopeSpans => {
          const scope = objectAt(scopeSpans, 'scope');
          return arrayAt(scopeSpans, 'spans')
            .filter(isObject)
            .map(span => decodeSpan(span, service, scope));
        });
      return { service, resourceAttributes, spans };
    });
}
