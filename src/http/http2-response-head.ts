/**
 * tracehop's response headers on HTTP/2 streams: the request id (and, when
 * on, the CORS and Server-Timing additions) on every status a stream
 * answers with, the same fields HTTP/1.1 responses get (head-guard.ts).
 *
 * Node publishes `http2.server.stream.finish` only once the headers are
 * sent, and no channel before, so this patches the server stream's
 * `respond`, `respondWithFD` and `respondWithFile` once per process, on the
 * prototype of the first server stream seen (Node does not export the
 * ServerHttp2Stream class). The compatibility API's Http2ServerResponse
 * writes its head through `respond` too, so `request` handlers and `stream`
 * handlers are covered alike. Only streams tracehop set up (a symbol on the
 * stream) are touched, and the app's headers object is copied, never changed.
 */
import { reporter } from '../diag';
import { HTTP2_RESPOND_PATCHED_KEY as PATCHED } from '../core/shared-state';
import type { HeadFields } from './head-guard';
import { EXPOSE_HEADERS_HEADER, SERVER_TIMING_HEADER, appendExposedHeaders, appendServerTiming } from './response-fields';

const HEAD_FIELDS = Symbol('tracehop.http2.head-fields');
const SENT_STATUS = Symbol('tracehop.http2.sent-status');

type Stream = object & { headersSent?: boolean; [HEAD_FIELDS]?: HeadFields; [SENT_STATUS]?: number };
type Respond = (this: Stream, ...args: unknown[]) => unknown;
/** An HTTP/2 headers object, or Node's raw form: a flat list `[name, value, name, value, ...]`. */
type Headers = Record<string | symbol, unknown> | unknown[];

// The header names of HTTP/2 are lower case (RFC 9113 section 8.2.1).
const SERVER_TIMING = SERVER_TIMING_HEADER.toLowerCase();
const EXPOSE_HEADERS = EXPOSE_HEADERS_HEADER.toLowerCase();
const STATUS = ':status';

/** Marks `stream` to carry `fields` in the headers it responds with. */
export function setStreamHeadFields(stream: object, fields: HeadFields): void {
  (stream as Stream)[HEAD_FIELDS] = fields;
}

/** The `:status` the stream answered with, once it has; undefined before, or for a stream tracehop did not set up. */
export function respondedStatus(stream: object): number | undefined {
  return (stream as Stream)[SENT_STATUS];
}

/** Patches the respond methods of `stream`'s prototype, once per process. */
export function guardStreamResponses(stream: object): void {
  const proto = Object.getPrototypeOf(stream) as Record<string | symbol, unknown>;
  if (Object.prototype.hasOwnProperty.call(proto, PATCHED)) return;
  proto[PATCHED] = true;
  // respond(headers, options), respondWithFD(fd, headers, options), respondWithFile(path, headers, options).
  wrapRespond(proto, 'respond', 0);
  wrapRespond(proto, 'respondWithFD', 1);
  wrapRespond(proto, 'respondWithFile', 1);
}

function wrapRespond(proto: Record<string | symbol, unknown>, name: string, headersAt: number): void {
  const original = proto[name];
  if (typeof original !== 'function') return;
  proto[name] = function respondWithTracehopFields(this: Stream, ...args: unknown[]): unknown {
    const fields = this[HEAD_FIELDS];
    if (fields === undefined || this.headersSent === true) return Reflect.apply(original as Respond, this, args);
    let headers: Headers | undefined;
    try {
      headers = withHeadFields(args[headersAt] as Headers | null | undefined, fields);
    } catch (error) {
      // The headers go out as the app gave them: what is lost is our headers on this response.
      reporter.error('response headers', `an HTTP/2 response went out without tracehop's headers: ${error instanceof Error ? error.message : typeof error}`);
    }
    const callArgs = headers === undefined ? args : withArgument(args, headersAt, headers);
    const result = Reflect.apply(original as Respond, this, callArgs);
    // After the call: Node put the default `:status` (200) into our copy if the app gave none.
    if (headers !== undefined) this[SENT_STATUS] = statusOf(headers);
    return result;
  };
}

function withArgument(args: unknown[], at: number, value: unknown): unknown[] {
  const copy = args.slice();
  copy[at] = value;
  return copy;
}

/**
 * A copy of the app's headers with ours added: the request id where the app
 * set none, the Server-Timing metric and the exposed names appended to the
 * app's values. Pure apart from the copy.
 */
export function withHeadFields(given: Headers | null | undefined, fields: HeadFields): Headers {
  if (Array.isArray(given)) return withRawHeadFields(given, fields);
  const headers: Record<string | symbol, unknown> = given === null || given === undefined ? {} : { ...given };
  const requestIdName = fields.requestIdHeader.toLowerCase();
  if (nameIn(headers, requestIdName) === undefined) headers[requestIdName] = fields.requestId;
  if (fields.serverTiming !== undefined) {
    const name = nameIn(headers, SERVER_TIMING) ?? SERVER_TIMING;
    const timing = appendServerTiming(headers[name] as string | undefined, fields.serverTiming);
    if (timing !== null) headers[name] = timing;
  }
  if (fields.exposeHeaders !== undefined) {
    const name = nameIn(headers, EXPOSE_HEADERS) ?? EXPOSE_HEADERS;
    const exposed = appendExposedHeaders(headers[name] as string | undefined, fields.exposeHeaders);
    if (exposed !== null) headers[name] = exposed;
  }
  if (headers[STATUS] === undefined) headers[STATUS] = 200;
  return headers;
}

/** The same over the raw form, where a name may repeat: the app's entries of a name we append to become one entry. */
function withRawHeadFields(given: unknown[], fields: HeadFields): unknown[] {
  let headers = given.slice();
  const names = new Set<string>();
  for (let i = 0; i < headers.length; i += 2) names.add(String(headers[i]).toLowerCase());
  const requestIdName = fields.requestIdHeader.toLowerCase();
  if (!names.has(requestIdName)) headers.push(requestIdName, fields.requestId);
  if (fields.serverTiming !== undefined) {
    const timing = appendServerTiming(rawValues(headers, SERVER_TIMING), fields.serverTiming);
    if (timing !== null) headers = [...withoutRaw(headers, SERVER_TIMING), SERVER_TIMING, timing];
  }
  if (fields.exposeHeaders !== undefined) {
    const exposed = appendExposedHeaders(rawValues(headers, EXPOSE_HEADERS), fields.exposeHeaders);
    if (exposed !== null) headers = [...withoutRaw(headers, EXPOSE_HEADERS), EXPOSE_HEADERS, exposed];
  }
  if (!names.has(STATUS)) headers.unshift(STATUS, 200);
  return headers;
}

function rawValues(headers: unknown[], lowerName: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === lowerName) values.push(String(headers[i + 1]));
  }
  return values;
}

function withoutRaw(headers: unknown[], lowerName: string): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() !== lowerName) kept.push(headers[i], headers[i + 1]);
  }
  return kept;
}

/** The key of `headers` that is `lowerName` in any case: the app of the core API may write `X-Request-ID`. */
function nameIn(headers: Record<string | symbol, unknown>, lowerName: string): string | undefined {
  if (headers[lowerName] !== undefined) return lowerName;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lowerName && headers[key] !== undefined) return key;
  }
  return undefined;
}

function statusOf(headers: Headers): number | undefined {
  if (!Array.isArray(headers)) return Number(headers[STATUS]) || undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] === STATUS) return Number(headers[i + 1]) || undefined;
  }
  return undefined;
}
