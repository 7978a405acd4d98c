'use strict';
// Counts the spans in a Datadog agent trace payload (msgpack, /v0.4/traces or
// /v0.5/traces), and reads the service name of its first span, without
// decoding the rest: a walk over the bytes, as lib/otlp-count.js does for
// OTLP. The intake's path is fixed, so the sink tells the services apart by
// that name (the suite sets DD_SERVICE to each service's tag).
//
// v0.4: an array of traces, each an array of spans, each a map with a
// `service` string. v0.5: [string table, traces], each span an array whose
// first element is the service name's index in the table.

/** { spans, service } for a payload; `null` if it is not the msgpack expected. */
function countDatadogSpans(bytes, version) {
  try {
    return version === '0.5' ? countV05(bytes) : countV04(bytes);
  } catch {
    return null;
  }
}

function countV04(bytes) {
  const traces = header(bytes, 0);
  expect(traces, 'array');
  let pos = traces.next;
  let spans = 0;
  let service = null;
  for (let t = 0; t < traces.length; t++) {
    const trace = header(bytes, pos);
    expect(trace, 'array');
    spans += trace.length;
    pos = trace.next;
    if (service === null && trace.length > 0) service = serviceOfMap(bytes, pos);
    for (let s = 0; s < trace.length; s++) pos = skip(bytes, pos);
  }
  if (pos !== bytes.length) throw new Error('trailing bytes');
  return { spans, service };
}

function countV05(bytes) {
  const outer = header(bytes, 0);
  expect(outer, 'array');
  const table = header(bytes, outer.next);
  expect(table, 'array');
  const strings = [];
  let pos = table.next;
  for (let i = 0; i < table.length; i++) {
    const value = header(bytes, pos);
    strings.push(value.kind === 'str' ? bytes.toString('utf8', value.next, value.next + value.length) : null);
    pos = skip(bytes, pos);
  }
  const traces = header(bytes, pos);
  expect(traces, 'array');
  pos = traces.next;
  let spans = 0;
  let service = null;
  for (let t = 0; t < traces.length; t++) {
    const trace = header(bytes, pos);
    expect(trace, 'array');
    spans += trace.length;
    pos = trace.next;
    if (service === null && trace.length > 0) {
      const span = header(bytes, pos);
      const index = header(bytes, span.next);
      if (index.kind === 'uint') service = strings[index.value] ?? null;
    }
    for (let s = 0; s < trace.length; s++) pos = skip(bytes, pos);
  }
  return { spans, service };
}

function serviceOfMap(bytes, pos) {
  const map = header(bytes, pos);
  expect(map, 'map');
  pos = map.next;
  for (let i = 0; i < map.length; i++) {
    const key = header(bytes, pos);
    const isService = key.kind === 'str' && bytes.toString('utf8', key.next, key.next + key.length) === 'service';
    pos = skip(bytes, pos);
    if (isService) {
      const value = header(bytes, pos);
      return value.kind === 'str' ? bytes.toString('utf8', value.next, value.next + value.length) : null;
    }
    pos = skip(bytes, pos);
  }
  return null;
}

function expect(item, kind) {
  if (item.kind !== kind) throw new Error(`expected ${kind}, found ${item.kind}`);
}

/** The value starting at `pos`: its kind, its length (entries, or bytes for str/bin/ext) and where its content starts. */
function header(bytes, pos) {
  if (pos >= bytes.length) throw new Error('truncated');
  const b = bytes[pos];
  if (b <= 0x7f) return { kind: 'uint', value: b, length: 0, next: pos + 1 };
  if (b <= 0x8f) return { kind: 'map', length: b & 0x0f, next: pos + 1 };
  if (b <= 0x9f) return { kind: 'array', length: b & 0x0f, next: pos + 1 };
  if (b <= 0xbf) return { kind: 'str', length: b & 0x1f, next: pos + 1 };
  if (b >= 0xe0) return { kind: 'int', length: 0, next: pos + 1 };
  switch (b) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return { kind: 'scalar', length: 0, next: pos + 1 };
    case 0xc4:
      return { kind: 'bin', length: bytes.readUInt8(pos + 1), next: pos + 2 };
    case 0xc5:
      return { kind: 'bin', length: bytes.readUInt16BE(pos + 1), next: pos + 3 };
    case 0xc6:
      return { kind: 'bin', length: bytes.readUInt32BE(pos + 1), next: pos + 5 };
    case 0xc7:
      return { kind: 'bin', length: bytes.readUInt8(pos + 1), next: pos + 3 };
    case 0xc8:
      return { kind: 'bin', length: bytes.readUInt16BE(pos + 1), next: pos + 4 };
    case 0xc9:
      return { kind: 'bin', length: bytes.readUInt32BE(pos + 1), next: pos + 6 };
    case 0xca:
      return { kind: 'scalar', length: 0, next: pos + 5 };
    case 0xcb:
      return { kind: 'scalar', length: 0, next: pos + 9 };
    case 0xcc:
      return { kind: 'uint', value: bytes.readUInt8(pos + 1), length: 0, next: pos + 2 };
    case 0xcd:
      return { kind: 'uint', value: bytes.readUInt16BE(pos + 1), length: 0, next: pos + 3 };
    case 0xce:
      return { kind: 'uint', value: bytes.readUInt32BE(pos + 1), length: 0, next: pos + 5 };
    case 0xcf:
      return { kind: 'scalar', length: 0, next: pos + 9 };
    case 0xd0:
      return { kind: 'int', length: 0, next: pos + 2 };
    case 0xd1:
      return { kind: 'int', length: 0, next: pos + 3 };
    case 0xd2:
      return { kind: 'int', length: 0, next: pos + 5 };
    case 0xd3:
      return { kind: 'int', length: 0, next: pos + 9 };
    case 0xd4:
      return { kind: 'bin', length: 1, next: pos + 2 };
    case 0xd5:
      return { kind: 'bin', length: 2, next: pos + 2 };
    case 0xd6:
      return { kind: 'bin', length: 4, next: pos + 2 };
    case 0xd7:
      return { kind: 'bin', length: 8, next: pos + 2 };
    case 0xd8:
      return { kind: 'bin', length: 16, next: pos + 2 };
    case 0xd9:
      return { kind: 'str', length: bytes.readUInt8(pos + 1), next: pos + 2 };
    case 0xda:
      return { kind: 'str', length: bytes.readUInt16BE(pos + 1), next: pos + 3 };
    case 0xdb:
      return { kind: 'str', length: bytes.readUInt32BE(pos + 1), next: pos + 5 };
    case 0xdc:
      return { kind: 'array', length: bytes.readUInt16BE(pos + 1), next: pos + 3 };
    case 0xdd:
      return { kind: 'array', length: bytes.readUInt32BE(pos + 1), next: pos + 5 };
    case 0xde:
      return { kind: 'map', length: bytes.readUInt16BE(pos + 1), next: pos + 3 };
    case 0xdf:
      return { kind: 'map', length: bytes.readUInt32BE(pos + 1), next: pos + 5 };
    default:
      throw new Error(`unknown msgpack byte 0x${b.toString(16)}`);
  }
}

/** The position just past the value at `pos`. */
function skip(bytes, pos) {
  const item = header(bytes, pos);
  if (item.kind === 'str' || item.kind === 'bin') return item.next + item.length;
  if (item.kind === 'array' || item.kind === 'map') {
    let next = item.next;
    const entries = item.kind === 'map' ? item.length * 2 : item.length;
    for (let i = 0; i < entries; i++) next = skip(bytes, next);
    return next;
  }
  return item.next;
}

module.exports = { countDatadogSpans };
