/**
 * What copies of tracehop share, and every `Symbol.for` key they share it
 * under: the one file to read to know tracehop's global state (as pino keeps
 * its symbols in lib/symbols.js).
 *
 * Two copies are common: the preload's (`node -r tracehop/register`) and the
 * one the app requires for the public API (another install path, a bundle,
 * a workspace link). Module-level state in one copy is invisible to the
 * other, so whatever the public API must reach, the preload publishes here,
 * on `globalThis` under a `Symbol.for` key, which every copy in the process
 * (and realm) resolves to the same symbol:
 *
 * - RUNTIME: the runtime object the preload built from its Config
 *   (`TracehopRuntime`). `runAsRequest`, `configureRequestIds`,
 *   `runWithCarrier` and `tracehopMixin` of any copy read it per call and
 *   call only the members declared here. Its key carries a version: a change
 *   to the shape below gets a new key, so an older copy finds nothing and
 *   falls back to running untraced, rather than calling what is not there.
 * - STARTED: set as the preload starts, so a second preload of another copy
 *   does not start tracehop twice.
 * - the markers on patched objects (a module's exports, a prototype, a
 *   request): whichever copy patched first, another copy sees it and does
 *   not patch again.
 *
 * Nothing else of tracehop's is global.
 */
import type { RequestIdGenerator } from './id-generator';
import type { RequestIdPolicy } from './request-id-policy';

/** The runtime object, published by the preload; the version in the key is the version of `TracehopRuntime`'s shape. */
export const RUNTIME_KEY = Symbol.for('tracehop.runtime.v1');
/** Set once tracehop has started in this thread. */
export const STARTED_KEY = Symbol.for('tracehop.started');
/** On an IncomingMessage and its ServerResponse: the context its server span set up (src/http/server-span). */
export const REQUEST_CONTEXT_KEY = Symbol.for('tracehop.server-span.context');
/** On IncomingMessage.prototype and ServerResponse.prototype: their `emit` runs listeners in the request's context. */
export const EMITS_IN_CONTEXT_KEY = Symbol.for('tracehop.server-span.emits-in-context');
/** On ServerResponse.prototype: `writeHead` puts our response headers back (src/http/head-guard.ts). */
export const WRITE_HEAD_PATCHED_KEY = Symbol.for('tracehop.write-head.patched');
/** On the pino factory tracehop wrapped. */
export const PINO_PATCHED_KEY = Symbol.for('tracehop.pino.patched');
/** On Express's Router: its route methods are wrapped. */
export const EXPRESS_PATCHED_KEY = Symbol.for('tracehop.express.patched');
/** On an Express request: the mount paths it went through, for the route template. */
export const EXPRESS_MOUNTS_KEY = Symbol.for('tracehop.express.mounts');
/** On a request: the route that matched last and may name the span when the response finishes (src/frameworks/answered-route.ts). */
export const ROUTE_CANDIDATE_KEY = Symbol.for('tracehop.route.candidate');
/** On a request: the mount templates above the layer Express 5's router channel reports (src/frameworks/express-router-channel.ts). */
export const EXPRESS_ROUTER_MOUNTS_KEY = Symbol.for('tracehop.express-router.mounts');
/** On @koa/router's prototype. */
export const KOA_ROUTER_PATCHED_KEY = Symbol.for('tracehop.koa-router.patched');
/** On @hapi/hapi's server factory. */
export const HAPI_PATCHED_KEY = Symbol.for('tracehop.hapi.patched');
/** On an HTTP/2 server session's prototype: its `stream` event runs in the stream's request context (src/http/http2-server-span.ts). */
export const HTTP2_SESSION_EMITS_IN_CONTEXT_KEY = Symbol.for('tracehop.http2.session-emits-in-context');
/** On an HTTP/2 server stream's prototype: `respond` and its siblings add our response headers (src/http/http2-response-head.ts). */
export const HTTP2_RESPOND_PATCHED_KEY = Symbol.for('tracehop.http2.respond.patched');
/** On each BullMQ method wrapper tracehop makes, so that a method is wrapped once, whichever copy of tracehop comes first. */
export const BULLMQ_WRAPPED_KEY = Symbol.for('tracehop.bullmq.wrapped');
/** On net.Server's prototype: an http(s) server's `upgrade` event starts a span and runs in its request context (src/http/upgrade-server-span.ts). */
export const UPGRADE_EMITS_IN_CONTEXT_KEY = Symbol.for('tracehop.upgrade.emits-in-context');

/** The correlation fields of the active span, for a pino mixin and for the pino hook's splice (src/logging/log-fields.ts). */
export interface LogFieldReaders {
  /** A fresh object of the fields; empty outside any valid span. */
  readonly read: () => Record<string, string>;
  /** The same fields as JSON object members; `''` outside any valid span. */
  readonly readJson: () => string;
}

/**
 * The runtime object: built once by the preload from its Config
 * (src/runtime/tracehop-runtime.ts), handed to what needs it, and
 * published under RUNTIME_KEY for the public API of any copy.
 */
export interface TracehopRuntime {
  /** The SDK's id generator: a request's root span takes the trace id its request id maps to. */
  readonly idGenerator: RequestIdGenerator;
  /** How request ids are made, accepted and rewritten; `configureRequestIds` replaces the app's functions in it. */
  readonly requestIds: RequestIdPolicy;
  /** TRACEHOP_JOB_TRACE: a job's span continues its producer's trace (`child`) or links to it (`link`). */
  readonly jobTrace: 'child' | 'link';
  /** TRACEHOP_LOG_FIELDS, as readers of the active span's fields. */
  readonly logFields: LogFieldReaders;
  /** TRACEHOP_LOG_SPAN_EVENTS as a pino level number: the lowest level recorded as a span event; Infinity when off. */
  readonly logSpanEventLevel: number;
}

type Globals = { [RUNTIME_KEY]?: TracehopRuntime };

/** Called once by the preload, after the SDK has started. */
export function publishRuntime(runtime: TracehopRuntime): void {
  (globalThis as Globals)[RUNTIME_KEY] = runtime;
}

/** The preload's runtime, whichever copy of tracehop asks; `undefined` when tracehop is not running (off, or not preloaded). */
export function sharedRuntime(): TracehopRuntime | undefined {
  return (globalThis as Globals)[RUNTIME_KEY];
}
