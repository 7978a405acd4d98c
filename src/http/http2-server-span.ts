/**
 * tracehop's HTTP/2 server span: for the core API (`stream` handlers) and
 * the compatibility API (`request` handlers) alike, over TLS (h2) and
 * cleartext (h2c). On an `allowHTTP1` server the HTTP/1.1 requests go
 * through `http.server.request.start` (server-span/), as on any server.
 *
 * Hooks Node's `http2.server.stream.start` diagnostics channel (Node 22.17
 * and later, 24, 26; Node 22.15 and 22.16 have none, and their HTTP/2
 * requests go untraced). Node publishes it synchronously as a server session
 * receives a new stream's headers, then emits the session's `stream` event on
 * the next tick. The span starts there, in the context extracted from the h2
 * headers, with the same request decision as an HTTP/1.1 request
 * (server-hooks.ts). The stream carries its context, and:
 * - the session's `stream` event runs in it. Node's own listener re-emits it
 *   on the server as `stream`, and the compatibility layer turns that into
 *   `request`, so every handler, at either level, runs in the request's
 *   context. Node exports no session class: the prototype of the first
 *   server session seen gets its `emit` wrapped, once per process (a patch,
 *   as no channel runs handlers in a context);
 * - the stream's own events (data, end, close) run in it, as an
 *   IncomingMessage's do (server-span.ts's `emitInRequestContextOn`);
 * - its response headers get ours (http2-response-head.ts).
 * The span ends when the stream closes: answered, reset by the client, or
 * its session destroyed, so none is left open. (Node's
 * `http2.server.stream.close` channel would do, but only from 22.18.)
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { RPCType, getRPCMetadata, setRPCMetadata, suppressTracing } from '@opentelemetry/core';
import { subscribe } from 'node:diagnostics_channel';
import { errorMonitor } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingHttpHeaders as Http2Headers, ServerHttp2Stream } from 'node:http2';
import { tracehopDiag } from '../diag';
import { versionAtLeast } from '../core/version-at-least';
import { HTTP2_SESSION_EMITS_IN_CONTEXT_KEY as SESSION_EMITS, REQUEST_CONTEXT_KEY as REQUEST_CONTEXT } from '../core/shared-state';
import type { HeadFields } from './head-guard';
import { guardStreamResponses, respondedStatus, setStreamHeadFields } from './http2-response-head';
import { pathMatcher } from './ignore-paths';
import { headFieldsAtStart, serverSpanOptions } from './server-hooks';
import type { ServerHookOptions } from './server-hooks';
import { emitInRequestContextOn, requestAttributes } from './server-span';
import { spanMethod } from './server-span/attributes';
import type { ServerSpanOptions } from './server-span';

export const HTTP2_STREAM_START_CHANNEL = 'http2.server.stream.start';

export interface Http2ServerSpanOptions {
  /** True for a `:path` that is ignored: the stream runs with tracing suppressed, and gets no span. */
  readonly isIgnored: (path: string | undefined) => boolean;
  readonly startRequestSpan: ServerSpanOptions['startRequestSpan'];
  /** Run in the span's context as it starts: the head fields its response must carry. */
  readonly fieldsAtStart: (span: Span, origin: string | undefined) => HeadFields | undefined;
  /** Called once, as the channel is subscribed. */
  readonly tracer: () => Tracer;
  /** Told once, as the first HTTP/2 stream is seen (the doctor's list of servers). */
  readonly onFirstStream?: () => void;
}

/** The same request rules as the HTTP/1.1 server span's. */
export function http2ServerSpanOptions(options: ServerHookOptions): Omit<Http2ServerSpanOptions, 'tracer'> {
  const isIgnored = pathMatcher(options.ignorePaths);
  return {
    isIgnored,
    startRequestSpan: serverSpanOptions(options).startRequestSpan,
    fieldsAtStart: headFieldsAtStart(options),
  };
}

interface StreamStart {
  readonly stream: ServerHttp2Stream;
  readonly headers: Http2Headers;
}

type WithContext = ServerHttp2Stream & { [REQUEST_CONTEXT]?: Context };

export class Http2ServerSpan {
  private enabled = false;
  private tracer: Tracer | undefined;
  private seenStream = false;

  constructor(private readonly options: Http2ServerSpanOptions) {}

  /** Subscribes to the channel. Only once per process. */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.tracer = this.options.tracer();
    // Subscribing to a channel Node never publishes would be silent: say so once, for OTEL_LOG_LEVEL=debug.
    if (!publishesHttp2StreamStart(process.versions.node)) {
      tracehopDiag.debug(
        `http2 server span: Node ${process.versions.node} publishes no ${HTTP2_STREAM_START_CHANNEL} channel (22.17 and later do): HTTP/2 requests go untraced, HTTP/1.1 requests are traced`,
      );
    }
    subscribe(HTTP2_STREAM_START_CHANNEL, message => {
      try {
        this.onStreamStart(message as StreamStart);
      } catch (error) {
        // The stream runs untraced: no span, no request id, no log fields.
        tracehopDiag.error(`http2 server span: a request went untraced: ${(error as Error).message}`);
      }
    });
  }

  private onStreamStart({ stream, headers }: StreamStart): void {
    if (!this.seenStream) {
      this.seenStream = true;
      // One prototype each: Node makes every server stream and session from the same classes.
      emitInRequestContextOn(Object.getPrototypeOf(stream) as object);
      guardStreamResponses(stream);
      this.options.onFirstStream?.();
    }
    streamEventInContextOn(stream.session);
    const target = stream as WithContext;
    const path = headers[':path'];
    if (this.options.isIgnored(path)) {
      target[REQUEST_CONTEXT] = suppressTracing(ROOT_CONTEXT);
      return;
    }
    const method = headers[':method'];
    const session = stream.session;
    const attributes = requestAttributes(
      {
        method,
        url: path,
        httpVersion: '2',
        headers: headersView(headers),
        remoteAddress: session?.socket?.remoteAddress,
        remotePort: session?.socket?.remotePort,
      },
      session?.encrypted === true ? 'https' : 'http',
    );
    const tracer = this.tracer ?? this.options.tracer();
    const methodName = spanMethod(method);
    const { span, parent } = this.options.startRequestSpan(propagation.extract(ROOT_CONTEXT, headers), requestParent =>
      tracer.startSpan(methodName, { kind: SpanKind.SERVER, attributes }, requestParent),
    );
    const spanContext = setRPCMetadata(trace.setSpan(parent, span), { type: RPCType.HTTP, span });
    target[REQUEST_CONTEXT] = spanContext;
    const origin = headers.origin;
    const fields = context.with(spanContext, () => this.options.fieldsAtStart(span, typeof origin === 'string' ? origin : undefined));
    if (fields !== undefined) setStreamHeadFields(stream, fields);
    endWithStream(stream, { span, methodName, spanContext, ended: false });
  }
}

/** Whether this Node publishes `http2.server.stream.start`: 22.17 and later 22, and every later major (tracehop needs 22.15). */
export function publishesHttp2StreamStart(version: string): boolean {
  return versionAtLeast(version, [22, 17]);
}

/**
 * The request headers the attributes read, under their HTTP/1.1 names: h2
 * has `:authority` where HTTP/1.1 has `Host` (RFC 9113 section 8.3.1).
 */
function headersView(headers: Http2Headers): IncomingHttpHeaders {
  return {
    host: headers[':authority'] ?? headers.host,
    'user-agent': headers['user-agent'],
    forwarded: headers.forwarded,
    'x-forwarded-host': headers['x-forwarded-host'],
    'x-forwarded-proto': headers['x-forwarded-proto'],
    'x-forwarded-for': headers['x-forwarded-for'],
  };
}

interface SpanState {
  readonly span: Span;
  readonly methodName: string;
  readonly spanContext: Context;
  ended: boolean;
}

const SPAN_STATE = Symbol('tracehop.http2-server-span.state');
type WithState = ServerHttp2Stream & { [SPAN_STATE]?: SpanState };

function endWithStream(stream: ServerHttp2Stream, state: SpanState): void {
  (stream as WithState)[SPAN_STATE] = state;
  // Shared listeners reading their state off the stream: nothing is made per request.
  stream.on('close', endOnClose);
  stream.on(errorMonitor, endOnError);
}

function endOnClose(this: WithState): void {
  const state = this[SPAN_STATE];
  if (state === undefined || state.ended) return;
  state.ended = true;
  const { span } = state;
  const status = respondedStatus(this);
  // A stream reset before any answer has no status: the client gave up, or the session went.
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  const route = getRPCMetadata(state.spanContext)?.route;
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${state.methodName} ${route}`);
  }
  // Server spans: 4xx is the client's fault and leaves the status unset (HTTP semantic conventions).
  if (status !== undefined && status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function endOnError(this: WithState, error: Error): void {
  const state = this[SPAN_STATE];
  if (state === undefined || state.ended) return;
  state.ended = true;
  state.span.setAttribute('error.type', error.name);
  state.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  state.span.recordException(error);
  state.span.end();
}

type Emitter = { emit: (event: string | symbol, ...args: unknown[]) => boolean };

/**
 * Wraps `emit` of the session's prototype, once per process, so that a
 * `stream` event runs in the context its stream carries; any other event,
 * or a stream without one, is emitted as before. The inherited `emit` is
 * looked up on every call, so a later wrapper of EventEmitter's still runs.
 */
function streamEventInContextOn(session: object | undefined): void {
  if (session === undefined) return;
  const target = Object.getPrototypeOf(session) as Emitter & { [SESSION_EMITS]?: true };
  if (Object.prototype.hasOwnProperty.call(target, SESSION_EMITS)) return;
  target[SESSION_EMITS] = true;
  const own = Object.prototype.hasOwnProperty.call(target, 'emit') ? target.emit : undefined;
  const parent = Object.getPrototypeOf(target) as Emitter;
  target.emit = function emitStreamInRequestContext(this: Emitter): boolean {
    const emit = own ?? parent.emit;
    // eslint-disable-next-line prefer-rest-params
    const args = arguments;
    const requestContext = args[0] === 'stream' ? (args[1] as WithContext | undefined)?.[REQUEST_CONTEXT] : undefined;
    if (requestContext === undefined) return Reflect.apply(emit, this, args) as boolean;
    return context.with(requestContext, () => Reflect.apply(emit, this, args) as boolean);
  };
}
