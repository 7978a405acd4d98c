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
import { reporter } from '../diag';
import { EXPOSE_HEADERS_HEADER, SERVER_TIMING_HEADER, appendExposedHeaders, appendServerTiming } from './response-fields';
import { WRITE_HEAD_PATCHED_KEY as PATCHED } from '../core/shared-state';

/** What a response must carry when its head is written. */
export interface HeadFields {
  readonly requestIdHeader: string;
  readonly requestId: string;
  /** The request had an `Origin` header and CORS exposing is on: these names go into Access-Control-Expose-Headers. */
  readonly exposeHeaders: readonly string[] | undefined;
  /** The Server-Timing metric to append, if on. */
  readonly serverTiming: string | undefined;
}

/** The header values tracehop last set, so that writeHead can see at a glance that nothing touched them. */
interface Written {
  timing: string | number | readonly string[] | undefined;
  exposed: string | number | readonly string[] | undefined;
}

const HEAD_FIELDS = Symbol('tracehop.head-fields');
const WRITTEN = Symbol('tracehop.head-fields.written');

type Response = ServerResponse & { [HEAD_FIELDS]?: HeadFields; [WRITTEN]?: Written };
type WriteHead = (this: ServerResponse, statusCode: number, ...rest: unknown[]) => ServerResponse;

/** Marks `response` to carry `fields`, and sets them now (so `getHeader` sees them in the app). */
export function setHeadFields(response: ServerResponse, fields: HeadFields): void {
  (response as Response)[HEAD_FIELDS] = fields;
  if (!response.headersSent) ensureFields(response as Response, fields);
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
      args = mergeHeadersArgument(this, rest, fields);
      ensureFields(this, fields);
    } catch (error) {
      // The head is written as the app gave it: what is lost is our headers on this response.
      args = rest;
      reporter.error('response headers', `a response went out without tracehop's headers: ${error instanceof Error ? error.message : typeof error}`);
    }
    return original.call(this, statusCode, ...args);
  } as unknown as typeof proto.writeHead;
}

/**
 * `writeHead(status, [message], headers)`: when the object of headers names
 * one of ours, it is set on the response and left out of the call, so that
 * ours are appended to the app's values rather than replaced by them. Any
 * other object is passed on: Node merges it into the headers already set
 * (ours among them) itself. A raw array of headers is passed on untouched.
 */
function mergeHeadersArgument(response: ServerResponse, rest: unknown[], fields: HeadFields): unknown[] {
  const last = rest[rest.length - 1];
  if (typeof last !== 'object' || last === null || Array.isArray(last)) return rest;
  if (!namesOneOfOurs(last as OutgoingHttpHeaders, fields)) return rest;
  for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) {
    if (value !== undefined) response.setHeader(name, value);
  }
  return rest.slice(0, -1);
}

function namesOneOfOurs(headers: OutgoingHttpHeaders, fields: HeadFields): boolean {
  const requestIdHeader = fields.requestIdHeader.toLowerCase();
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === requestIdHeader || lower === SERVER_TIMING_LOWER || lower === EXPOSE_HEADERS_LOWER) return true;
  }
  return false;
}

const SERVER_TIMING_LOWER = SERVER_TIMING_HEADER.toLowerCase();
const EXPOSE_HEADERS_LOWER = EXPOSE_HEADERS_HEADER.toLowerCase();

/**
 * Puts our headers back where the app or a framework removed or replaced
 * them. A header still holding the value tracehop set is left alone without
 * parsing it again.
 */
function ensureFields(response: Response, fields: HeadFields): void {
  if (!response.hasHeader(fields.requestIdHeader)) response.setHeader(fields.requestIdHeader, fields.requestId);
  if (fields.serverTiming === undefined && fields.exposeHeaders === undefined) return;
  const written = (response[WRITTEN] ??= { timing: undefined, exposed: undefined });
  if (fields.serverTiming !== undefined) {
    const current = response.getHeader(SERVER_TIMING_HEADER);
    if (current === undefined || current !== written.timing) {
      const timing = appendServerTiming(current, fields.serverTiming);
      if (timing !== null) response.setHeader(SERVER_TIMING_HEADER, timing);
      written.timing = timing ?? current;
    }
  }
  if (fields.exposeHeaders !== undefined) {
    const current = response.getHeader(EXPOSE_HEADERS_HEADER);
    if (current === undefined || current !== written.exposed) {
      const exposed = appendExposedHeaders(current, fields.exposeHeaders);
      if (exposed !== null) response.setHeader(EXPOSE_HEADERS_HEADER, exposed);
      written.exposed = exposed ?? current;
    }
  }
}
