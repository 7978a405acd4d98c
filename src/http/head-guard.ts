/**
 * Makes tracehop's response headers survive frameworks that reset headers.
 *
 * The headers are set as the server span starts, before the app runs, so
 * that every status carries them; but some frameworks remove every header
 * before writing an error response (Koa's default error handler does). Node
 * publishes no channel for "the head is about to be written", so this
 * patches `ServerResponse.prototype.writeHead` once: Node calls it for every
 * response, explicit or implicit (`res.end()` without it goes through
 * `_implicitHeader`, which calls `writeHead`). There, headers the app passed
 * to `writeHead` are merged first (as Node itself does once any header was
 * set), then ours are put back or appended. Only responses tracehop set up
 * (a symbol on the response) are touched.
 */
import { ServerResponse } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { tracehopDiag } from '../diag';
import { EXPOSE_HEADERS_HEADER, SERVER_TIMING_HEADER, appendExposedHeaders, appendServerTiming } from './response-fields';

/** What a response must carry when its head is written. */
export interface HeadFields {
  readonly requestIdHeader: string;
  readonly requestId: string;
  /** The request had an `Origin` header and CORS exposing is on: these names go into Access-Control-Expose-Headers. */
  readonly exposeHeaders: readonly string[] | undefined;
  /** The Server-Timing metric to append, if on. */
  readonly serverTiming: string | undefined;
}

const HEAD_FIELDS = Symbol('tracehop.head-fields');
const PATCHED = Symbol.for('tracehop.write-head.patched');

type Response = ServerResponse & { [HEAD_FIELDS]?: HeadFields };
type WriteHead = (this: ServerResponse, statusCode: number, ...rest: unknown[]) => ServerResponse;

/** Marks `response` to carry `fields`, and sets them now (so `getHeader` sees them in the app). */
export function setHeadFields(response: ServerResponse, fields: HeadFields): void {
  (response as Response)[HEAD_FIELDS] = fields;
  if (!response.headersSent) ensureFields(response, fields);
}

/** Patches `ServerResponse.prototype.writeHead` once per process. */
export function guardResponseHead(): void {
  const proto = ServerResponse.prototype as ServerResponse & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  const original = proto.writeHead as unknown as WriteHead;
  proto.writeHead = function writeHeadWithTracehopFields(this: Response, statusCode: number, ...rest: unknown[]) {
    const fields = this[HEAD_FIELDS];
    if (fields === undefined || this.headersSent) return original.call(this, statusCode, ...rest);
    let args = rest;
    try {
      args = mergeHeadersArgument(this, rest);
      ensureFields(this, fields);
    } catch (error) {
      args = rest;
      tracehopDiag.error(`response headers: ${(error as Error).message}`);
    }
    return original.call(this, statusCode, ...args);
  } as unknown as typeof proto.writeHead;
}

/**
 * `writeHead(status, [message], headers)`: an object of headers is set on
 * the response and left out of the call, so that ours are appended to them;
 * Node merges it the same way whenever a header was set before. A raw
 * array of headers is passed on untouched.
 */
function mergeHeadersArgument(response: ServerResponse, rest: unknown[]): unknown[] {
  const last = rest[rest.length - 1];
  if (typeof last !== 'object' || last === null || Array.isArray(last)) return rest;
  for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) {
    if (value !== undefined) response.setHeader(name, value);
  }
  return rest.slice(0, -1);
}

function ensureFields(response: ServerResponse, fields: HeadFields): void {
  if (!response.hasHeader(fields.requestIdHeader)) response.setHeader(fields.requestIdHeader, fields.requestId);
  if (fields.serverTiming !== undefined) {
    const timing = appendServerTiming(response.getHeader(SERVER_TIMING_HEADER), fields.serverTiming);
    if (timing !== null) response.setHeader(SERVER_TIMING_HEADER, timing);
  }
  if (fields.exposeHeaders !== undefined) {
    const exposed = appendExposedHeaders(response.getHeader(EXPOSE_HEADERS_HEADER), fields.exposeHeaders);
    if (exposed !== null) response.setHeader(EXPOSE_HEADERS_HEADER, exposed);
  }
}
