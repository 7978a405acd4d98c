/**
 * The route that answered a request, for routers whose routes may pass the
 * request on with `next()` (Express, Koa's @koa/router). A route that matched is only a
 * candidate: it names the server span when the response finishes, if by
 * then it still stands (nothing later ran, and it did not pass the request
 * on). A catch-all such as `app.all('/api/{*path}', (req, res, next) =>
 * next())` therefore never names the 404 that follows it.
 *
 * The decision is made on Node's `http.server.response.finish` diagnostics
 * channel, which Node publishes from the response's `finish`, before its
 * `close`, where both server spans (tracehop's, instrumentation-http's) read
 * the route and end. A response that never finishes (the client went away)
 * keeps the plain method. HTTP/2 compatibility requests, which that channel
 * does not cover, are named as their stream finishes (nameOnHttp2Finish).
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { reporter } from '../diag';
import { setRouteIn } from './server-span-route';

/** The channel Node publishes `{ request, response, socket, server }` on as a server response finishes. */
export const RESPONSE_FINISH_CHANNEL = 'http.server.response.finish';

// Shared across copies of tracehop: a candidate offered by one copy is named by whichever copy sees the finish.
import { ROUTE_CANDIDATE_KEY as CANDIDATE } from '../core/shared-state';

interface RouteCandidate {
  readonly framework: string;
  readonly method: unknown;
  readonly template: string;
  /** The request's context as the route started: the server span's, wherever `finish` is published from. */
  readonly context: Context;
  /** False once the route passed the request on (or its router moved past it). */
  readonly stands: () => boolean;
}

type WithCandidate = { [CANDIDATE]?: RouteCandidate };

const always = () => true;

/** Makes the route now running the request's candidate, replacing any earlier one (which passed the request on to it). */
export function offerRoute(request: object, framework: string, method: unknown, template: string, stands: () => boolean = always): void {
  const holder = request as WithCandidate;
  if (holder[CANDIDATE] === undefined) nameOnHttp2Finish(request);
  holder[CANDIDATE] = { framework, method, template, context: context.active(), stands };
}

/** HTTP/2 streams given their `finish` listener (nameOnHttp2Finish). */
const listenedStreams = new WeakSet<object>();

/**
 * An HTTP/2 compatibility request (`http2.Http2ServerRequest`, which Koa
 * and Express apps get from `http2.createServer(app.callback())`) publishes
 * nothing on the response-finish channel: the candidate is named as its
 * stream's writable side finishes instead, which is when the compatibility
 * response emits its own `finish`, before the stream closes and the server
 * span ends. Added with the request's first candidate, once a stream.
 */
function nameOnHttp2Finish(request: object): void {
  // Told apart without loading node:http2: an HTTP/1 request has no `stream`; an HTTP/2 server stream has `respond`.
  const stream = (request as { stream?: { once?: unknown; respond?: unknown; writableFinished?: unknown } }).stream;
  if (typeof stream?.once !== 'function' || typeof stream.respond !== 'function' || stream.writableFinished === true) return;
  // One listener a stream, however many routes offer and withdraw: it names whatever candidate stands at the finish, and
  // a listener per offer would pass the stream's limit (MaxListenersExceededWarning on the app's stderr).
  if (listenedStreams.has(stream)) return;
  listenedStreams.add(stream);
  (stream.once as (event: string, listener: () => void) => unknown).call(stream, 'finish', () => nameAnsweredRoute(request));
}

/** Drops the request's candidate: what ran after it (a middleware, the not-found handler) means it passed the request on. */
export function withdrawRoute(request: object): void {
  const holder = request as WithCandidate;
  if (holder[CANDIDATE] !== undefined) holder[CANDIDATE] = undefined;
}

/** Names the span after the request's candidate now, if it still stands, and drops it. */
export function nameAnsweredRoute(request: object): void {
  const holder = request as WithCandidate;
  const candidate = holder[CANDIDATE];
  if (candidate === undefined) return;
  holder[CANDIDATE] = undefined;
  try {
    if (!candidate.stands()) return;
    setRouteIn(candidate.context, candidate.framework, candidate.method, candidate.template);
  } catch (error) {
    // setRouteIn does not throw; `stands` reads the router's state, which a foreign router could shape otherwise.
    reporter.warn('route-candidate', `route names: could not name a ${candidate.framework} route, its request is named by method only (${String(error)})`);
  }
}

function onResponseFinish(message: unknown): void {
  const request = (message as { request?: unknown } | null)?.request;
  if (typeof request === 'object' && request !== null) nameAnsweredRoute(request);
}

/** The frameworks that offer candidates: the channel is followed while any of them is enabled. */
const namers = new Set<string>();

/** Starts naming candidates as responses finish, for `framework`; subscribed once, however many ask: a channel would call a function subscribed twice twice. */
export function nameRoutesOnFinish(framework: string): void {
  namers.add(framework);
  diagnosticsChannel.unsubscribe(RESPONSE_FINISH_CHANNEL, onResponseFinish);
  diagnosticsChannel.subscribe(RESPONSE_FINISH_CHANNEL, onResponseFinish);
}

/** Stops for `framework`; the channel is left once no framework needs it. */
export function stopNamingRoutesOnFinish(framework: string): void {
  namers.delete(framework);
  if (namers.size === 0) diagnosticsChannel.unsubscribe(RESPONSE_FINISH_CHANNEL, onResponseFinish);
}
