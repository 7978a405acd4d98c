/**
 * tracehop's own HTTP server span, in place of instrumentation-http's
 * incoming-request path.
 *
 * Hooks Node's `http.server.request.start` diagnostics channel, which Node
 * publishes for every request (http and https) just before the server emits
 * `request`. The span starts there, in the context extracted from the
 * request's headers. The first time a server is seen, its `emit` is wrapped
 * so that the `request` event (the app's handler, and everything it awaits)
 * runs inside the span's context; `AsyncLocalStorage.enterWith` is avoided
 * because it leaks the context into whatever runs next on the same socket.
 * The span ends when the response closes: finished, aborted by the client,
 * or its socket destroyed, so none is left open while the process lives.
 * An app that calls process.exit() right after `res.end()` never reaches
 * `close`: the spans still open are kept in a set (added as they start,
 * removed as they end: no cost per request worth measuring), and the exit
 * path ends them (`endOpenSpans`), marked `tracehop.span.cut_short`, before
 * the exit hand-off sends what is unsent.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { RPCType, setRPCMetadata, getRPCMetadata, suppressTracing } from '@opentelemetry/core';
import { subscribe } from 'node:diagnostics_channel';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import { errorMonitor } from 'node:events';
import type { EventEmitter } from 'node:events';
import { reporter } from '../../diag';
import { EMITS_IN_CONTEXT_KEY as EMITS_IN_CONTEXT, REQUEST_CONTEXT_KEY as REQUEST_CONTEXT } from '../../core/shared-state';
import { requestAttributes, spanMethod } from './attributes';

export const REQUEST_START_CHANNEL = 'http.server.request.start';

export interface ServerSpanOptions {
  /** True for a request whose path is ignored: it runs with tracing suppressed, and gets no span. */
  readonly isIgnored: (request: IncomingMessage) => boolean;
  /** Decides the request from the extracted context and starts its span with `startSpan` (src/core/request-start.ts); returns the span and its parent context. */
  readonly startRequestSpan: (extracted: Context, startSpan: (parent: Context) => Span) => { readonly span: Span; readonly parent: Context };
  /** Runs in the span's context as the span starts, before the app sees the request. */
  readonly onStart: (span: Span, response: ServerResponse) => void;
  /** Called once, as the channel is subscribed. */
  readonly tracer: () => Tracer;
}

interface RequestStart {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly server: Server;
}

const WRAPPED = Symbol('tracehop.server-span.wrapped');

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
type WithContext = IncomingMessage & { [REQUEST_CONTEXT]?: Context };
type Emitter = { emit: (event: string | symbol, ...args: unknown[]) => boolean; [REQUEST_CONTEXT]?: Context };

export class ServerSpan {
  private enabled = false;
  private tracer: Tracer | undefined;

  constructor(private readonly options: ServerSpanOptions) {}

  /**
   * For the exit path, synchronous: ends every server span whose response
   * has not closed, as cut short (CUT_SHORT_ATTRIBUTE). A response the app
   * had finished (`res.end()` done, `close` still to come) keeps the status
   * its HTTP status code gives, as on `close`; one still unfinished is
   * status ERROR: its client never got the whole answer.
   */
  endOpenSpans(): void {
    for (const state of [...openSpans.keys()]) {
      try {
        endCutShort(state);
      } catch (error) {
        // At exit: that span is lost; the others, and the hand-off after, go on.
        reporter.warn('cut-short span', `a span open at exit could not be ended, and is lost: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Subscribes to the channel. Only once per process: there is one set of servers. */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    // Resolved once: enable() runs after the SDK registered its provider.
    this.tracer = this.options.tracer();
    emitInRequestContextOn(IncomingMessage.prototype);
    emitInRequestContextOn(ServerResponse.prototype);
    subscribe(REQUEST_START_CHANNEL, message => {
      try {
        this.onRequestStart(message as RequestStart);
      } catch (error) {
        // Per request: rate-limited. This request goes untraced (no span, no id echo); the app's handler runs as it would.
        reporter.error('server span start', `server span not started, the request goes untraced: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  private onRequestStart({ request, response, server }: RequestStart): void {
    wrapEmit(server);
    const req = request as WithContext;
    if (this.options.isIgnored(request)) {
      req[REQUEST_CONTEXT] = suppressTracing(ROOT_CONTEXT);
      (response as unknown as Emitter)[REQUEST_CONTEXT] = req[REQUEST_CONTEXT];
      return;
    }
    // An https server is a tls.Server: its sockets are TLSSockets with `encrypted` set.
    const scheme = (request.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
    const attributes = requestAttributes(
      {
        method: request.method,
        url: request.url,
        httpVersion: request.httpVersion,
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
        remotePort: request.socket.remotePort,
      },
      scheme,
    );
    const tracer = this.tracer ?? this.options.tracer();
    // The method part of the span's name, now and with a route at the end: once per request.
    const methodName = spanMethod(request.method);
    const { span, parent } = this.options.startRequestSpan(propagation.extract(ROOT_CONTEXT, request.headers), requestParent =>
      tracer.startSpan(methodName, { kind: SpanKind.SERVER, attributes }, requestParent),
    );
    const spanContext = setRPCMetadata(trace.setSpan(parent, span), { type: RPCType.HTTP, span });
    req[REQUEST_CONTEXT] = spanContext;
    (response as unknown as Emitter)[REQUEST_CONTEXT] = spanContext;
    context.with(spanContext, () => this.options.onStart(span, response));
    endWithResponse(span, methodName, response, spanContext);
  }
}

/** What a response needs to end its span: kept on the response, so the listeners are shared, not made per request. */
interface SpanState {
  readonly span: Span;
  readonly methodName: string;
  readonly spanContext: Context;
  ended: boolean;
}

const SPAN_STATE = Symbol('tracehop.server-span.state');
type WithState = ServerResponse & { [SPAN_STATE]?: SpanState };

/**
 * On a server span ended by the process's exit rather than by its response
 * closing: its end time is the exit's (docs/failure-modes.md).
 */
export const CUT_SHORT_ATTRIBUTE = 'tracehop.span.cut_short';

/** The states of spans whose response has not closed yet, with their response: what the exit path ends. */
const openSpans = new Map<SpanState, ServerResponse>();

/** Ends the span once, when the response closes or errors; a 5xx or an error is status ERROR. */
function endWithResponse(span: Span, methodName: string, response: ServerResponse, spanContext: Context): void {
  const state: SpanState = { span, methodName, spanContext, ended: false };
  (response as WithState)[SPAN_STATE] = state;
  openSpans.set(state, response);
  // `on`, not `once`: a response closes once, endOnClose ends the span once, and `once` would wrap the listener per request.
  response.on('close', endOnClose);
  response.on(errorMonitor, endOnError);
}

function endOnClose(this: WithState): void {
  const state = this[SPAN_STATE];
  if (state === undefined || state.ended) return;
  state.ended = true;
  openSpans.delete(state);
  setResponseAttributes(state, this.statusCode);
  state.span.end();
}

/** The status code, the route (and the name it gives), and the status a 5xx gives. */
function setResponseAttributes(state: SpanState, statusCode: number): void {
  const { span } = state;
  span.setAttribute('http.response.status_code', statusCode);
  const route = getRPCMetadata(state.spanContext)?.route;
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${state.methodName} ${route}`);
  }
  // Server spans: 4xx is the client's fault and leaves the status unset (HTTP semantic conventions).
  if (statusCode >= 500 || statusCode < 100) span.setStatus({ code: SpanStatusCode.ERROR });
}

function endCutShort(state: SpanState): void {
  const response = openSpans.get(state);
  openSpans.delete(state);
  // A span ended elsewhere (the crash recording ends the request's span) takes nothing more.
  if (state.ended || response === undefined || !state.span.isRecording()) return;
  state.ended = true;
  const { span } = state;
  span.setAttribute(CUT_SHORT_ATTRIBUTE, true);
  if (response.headersSent) setResponseAttributes(state, response.statusCode);
  if (!response.writableFinished) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the process exited before the response was finished' });
  }
  span.end();
}

function endOnError(this: WithState, error: Error): void {
  const state = this[SPAN_STATE];
  if (state === undefined || state.ended) return;
  state.ended = true;
  openSpans.delete(state);
  recordError(state.span, error);
  state.span.end();
}

function recordError(span: Span, error: Error): void {
  span.setAttribute('error.type', error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.recordException(error);
}

/** Wraps this server's `emit` so that `request` runs in the context the channel set up for it. */
function wrapEmit(server: Server): void {
  const target = server as Server & { [WRAPPED]?: true };
  if (target[WRAPPED]) return;
  target[WRAPPED] = true;
  const original = server.emit as Emit;
  (server as { emit: Emit }).emit = function emitInRequestContext(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return original.apply(this, [event, ...args]);
    const request = args[0] as WithContext;
    const requestContext = request?.[REQUEST_CONTEXT];
    if (requestContext === undefined) return original.apply(this, [event, ...args]);
    // Not caught here: a handler that throws synchronously crashes the
    // process (or reaches the app's own uncaughtException handler), and
    // Node's banner must point at the app's throw, which a catch and
    // re-throw here would replace with this line. The crash recording
    // (src/errors/) puts the error on this request's span.
    return context.with(requestContext, original, this, event, ...args);
  };
}

/**
 * The request's 'data' and 'end' (and the response's events) are emitted
 * from the socket's callbacks, outside any request context. Their listeners
 * must run in the request's, as under instrumentation-http, which binds each
 * emitter per request (seven wrapped methods, and a wrapper per listener).
 * Instead, `emit` of IncomingMessage and ServerResponse is wrapped once per
 * process: an emitter that carries a request context (set as its server span
 * starts) emits in it; any other (a client's response, an ignored path's)
 * emits as before. The inherited `emit` is looked up on every call, so a
 * later wrapper of EventEmitter's still runs.
 */
export function emitInRequestContextOn(prototype: object): void {
  const target = prototype as Emitter & { [EMITS_IN_CONTEXT]?: true };
  if (Object.prototype.hasOwnProperty.call(target, EMITS_IN_CONTEXT)) return;
  target[EMITS_IN_CONTEXT] = true;
  const own = Object.prototype.hasOwnProperty.call(target, 'emit') ? target.emit : undefined;
  const parent = Object.getPrototypeOf(target) as Emitter;
  target.emit = function emitInRequestContext(this: Emitter): boolean {
    const emit = own ?? parent.emit;
    const requestContext = this[REQUEST_CONTEXT];
    // eslint-disable-next-line prefer-rest-params
    const args = arguments;
    // An event nobody listens to (most of a response's) needs no context.
    // Nor does one emitted from code already in it (the handler's own res.end()).
    if (
      requestContext === undefined ||
      (this as unknown as EventEmitter).listenerCount(args[0] as string | symbol) === 0 ||
      context.active() === requestContext
    ) {
      return Reflect.apply(emit, this, args) as boolean;
    }
    return context.with(requestContext, () => Reflect.apply(emit, this, args) as boolean);
  } as Emitter['emit'];
}
