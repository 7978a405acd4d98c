/**
 * WebSocket and other HTTP/1.1 upgrades (docs/how-it-works.md, "WebSocket
 * and other upgrades"), on the server and from a client made in a request.
 *
 * Server. Node publishes no `http.server.request.start` for a request a
 * server answers through its `upgrade` event (the parser hands the socket
 * over before a ServerResponse exists), and no other channel: so `emit` of
 * net.Server's prototype is wrapped, once per process (http and https
 * servers inherit it, and http is loaded already; https is not loaded for
 * this). Any other event passes straight through. On `upgrade`:
 * - the request is decided by the same rules as any request (the same
 *   `startRequestSpan` as the HTTP/1.1 server span: extract, decideRequest),
 *   and a SERVER span starts, named by its method, with the same attributes;
 * - the `upgrade` listeners run in the span's context, and the socket's own
 *   `emit` is bound to it (an own property of that socket only: a closure
 *   per upgrade, nothing per message), so `connection` and every `message`
 *   handler of a `ws` server (which reads the socket's `data`) run in the
 *   upgrade's request, each socket in its own;
 * - the answer is the first write to the socket (ws writes its 101, or a
 *   refusal through `socket.end`, in one chunk; any library answering an
 *   upgrade must write a raw HTTP head there). That write is seen by
 *   `write` and `end` of that socket, wrapped until it happens: the request
 *   id header is added to the head when the app did not set one, its status
 *   read, and the span ended. Chosen over ws's `headers` event because that
 *   covers ws's 101 only, not its refusals, nor Socket.IO's engine or a
 *   proxy writing its upstream's answer. A socket closed before any answer
 *   ends the span without a status code.
 *
 * Client. instrumentation-http runs a client request's listeners in the
 * context that made the call (the client span is never the active span), but
 * an upgraded socket's `data` runs in the context its connection was made in:
 * the client span's. So for a request that asks for an upgrade, a listener
 * on its `upgrade` event (run in the caller's context) binds the socket's
 * `emit` to that context, and a `ws` client's `open` and `message` callbacks
 * see the caller's span, as an HTTP client's callbacks do.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing } from '@opentelemetry/core';
import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { reporter } from '../diag';
import { REQUEST_CONTEXT_KEY as REQUEST_CONTEXT, UPGRADE_EMITS_IN_CONTEXT_KEY as EMITS_IN_CONTEXT } from '../core/shared-state';
import type { HeadFields } from './head-guard';
import { requestAttributes, spanMethod } from './server-span/attributes';
import type { ServerSpanOptions } from './server-span';

export interface UpgradeServerSpanOptions {
  /** True for a request whose path is ignored: its upgrade runs with tracing suppressed, and gets no span. */
  readonly isIgnored: (url: string | undefined) => boolean;
  readonly startRequestSpan: ServerSpanOptions['startRequestSpan'];
  /** Run in the span's context as it starts: the request id header the answer must carry. */
  readonly fieldsAtStart: (span: Span, origin: string | undefined) => HeadFields | undefined;
  /** Called once, as the hook is installed. */
  readonly tracer: () => Tracer;
}

type Emit = (this: NetServer, event: string | symbol, ...args: unknown[]) => boolean;
type Emitter = { emit: Emit };
type WithContext = IncomingMessage & { [REQUEST_CONTEXT]?: Context };

export class UpgradeServerSpan {
  private enabled = false;
  private tracer: Tracer | undefined;

  constructor(private readonly options: UpgradeServerSpanOptions) {}

  /** Wraps `emit` of net.Server's prototype, once per process. */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.tracer = this.options.tracer();
    const target = NetServer.prototype as unknown as Emitter & { [EMITS_IN_CONTEXT]?: true };
    if (Object.prototype.hasOwnProperty.call(target, EMITS_IN_CONTEXT)) return;
    target[EMITS_IN_CONTEXT] = true;
    const own = Object.prototype.hasOwnProperty.call(target, 'emit') ? target.emit : undefined;
    const parent = Object.getPrototypeOf(target) as Emitter;
    const onUpgrade = (request: IncomingMessage, socket: Socket): Context | undefined => this.onUpgrade(request, socket);
    target.emit = function emitUpgradeInRequestContext(this: NetServer): boolean {
      // Looked up on every call: a later wrapper of EventEmitter's still runs.
      const emit = own ?? parent.emit;
      // eslint-disable-next-line prefer-rest-params
      const args = arguments;
      if (args[0] !== 'upgrade') return Reflect.apply(emit, this, args) as boolean;
      let requestContext: Context | undefined;
      try {
        requestContext = onUpgrade(args[1] as IncomingMessage, args[2] as Socket);
      } catch (error) {
        // Per upgrade, rate-limited: this one goes untraced (no span, no id on its answer); the app's listeners run as they would.
        reporter.error('upgrade span start', `an upgrade went untraced: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (requestContext === undefined) return Reflect.apply(emit, this, args) as boolean;
      // Not caught: a listener's throw must reach the app as it would untraced (see server-span.ts).
      return context.with(requestContext, () => Reflect.apply(emit, this, args) as boolean);
    };
  }

  /** Starts the upgrade's span and prepares its socket; returns the context its listeners run in. */
  private onUpgrade(request: IncomingMessage, socket: Socket): Context | undefined {
    // `upgrade` of a net.Server that is not an HTTP server is not ours to read.
    if (request === undefined || socket === undefined || typeof request.headers !== 'object' || typeof socket.write !== 'function') return undefined;
    const req = request as WithContext;
    if (this.options.isIgnored(request.url)) {
      const suppressed = suppressTracing(ROOT_CONTEXT);
      req[REQUEST_CONTEXT] = suppressed;
      bindEmit(socket, suppressed);
      return suppressed;
    }
    const scheme = (socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
    const attributes = requestAttributes(
      {
        method: request.method,
        url: request.url,
        httpVersion: request.httpVersion,
        headers: request.headers,
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
      },
      scheme,
    );
    const tracer = this.tracer ?? this.options.tracer();
    const { span, parent } = this.options.startRequestSpan(propagation.extract(ROOT_CONTEXT, request.headers), requestParent =>
      tracer.startSpan(spanMethod(request.method), { kind: SpanKind.SERVER, attributes }, requestParent),
    );
    const spanContext = setRPCMetadata(trace.setSpan(parent, span), { type: RPCType.HTTP, span });
    req[REQUEST_CONTEXT] = spanContext;
    const fields = context.with(spanContext, () => this.options.fieldsAtStart(span, undefined));
    bindEmit(socket, spanContext);
    watchAnswer(socket, span, fields);
    return spanContext;
  }
}

type SocketEmit = (event: string | symbol, ...args: unknown[]) => boolean;

/** The socket's events run in `requestContext`: its own `emit`, calling the one it inherits. */
function bindEmit(socket: Socket, requestContext: Context): void {
  const inherited = (socket as unknown as { emit: SocketEmit }).emit;
  socket.emit = function emitInUpgradeContext(this: Socket): boolean {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments;
    if (context.active() === requestContext) return Reflect.apply(inherited, this, args) as boolean;
    return context.with(requestContext, () => Reflect.apply(inherited, this, args) as boolean);
  } as Socket['emit'];
}

const STATUS_LINE = /^HTTP\/\d\.\d (\d{3})/;

type Write = (chunk: unknown, ...rest: unknown[]) => unknown;

/**
 * Wraps `write` and `end` of this socket until the first chunk goes out:
 * that chunk is the answer's head. Ends the span there, or as the socket
 * closes unanswered.
 */
function watchAnswer(socket: Socket, span: Span, fields: HeadFields | undefined): void {
  let ended = false;
  const endSpan = (status: number | undefined): void => {
    if (ended) return;
    ended = true;
    if (status !== undefined) {
      span.setAttribute('http.response.status_code', status);
      // Server spans: 4xx is the client's fault and leaves the status unset (HTTP semantic conventions).
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  // Seen as plain functions: the overloads of Socket's write and end are not needed to pass a call on.
  const target = socket as unknown as { write: Write; end: Write };
  const ownWrite = Object.prototype.hasOwnProperty.call(socket, 'write') ? target.write : undefined;
  const ownEnd = Object.prototype.hasOwnProperty.call(socket, 'end') ? target.end : undefined;
  const inheritedWrite = target.write;
  const inheritedEnd = target.end;
  const restore = (): void => {
    if (ownWrite === undefined) delete (target as { write?: Write }).write;
    else target.write = ownWrite;
    if (ownEnd === undefined) delete (target as { end?: Write }).end;
    else target.end = ownEnd;
  };
  const answered = (chunk: unknown): unknown => {
    restore();
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return chunk;
    try {
      const head = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : undefined;
      if (head === undefined) {
        endSpan(undefined);
        return chunk;
      }
      const match = STATUS_LINE.exec(head);
      endSpan(match === null ? undefined : Number(match[1]));
      if (match === null || fields === undefined) return chunk;
      const withId = withHeader(head, fields.requestIdHeader, fields.requestId);
      if (withId === head) return chunk;
      return typeof chunk === 'string' ? withId : Buffer.from(withId, 'latin1');
    } catch (error) {
      // The answer goes out as the app wrote it: what is lost is our header on it (and its status on the span).
      endSpan(undefined);
      reporter.error('upgrade answer', `an upgrade was answered without tracehop's header: ${error instanceof Error ? error.message : String(error)}`);
      return chunk;
    }
  };
  target.write = function writeUpgradeAnswer(this: Socket, chunk: unknown, ...rest: unknown[]): unknown {
    return Reflect.apply(inheritedWrite, this, [answered(chunk), ...rest]);
  };
  target.end = function endUpgradeAnswer(this: Socket, chunk: unknown, ...rest: unknown[]): unknown {
    return Reflect.apply(inheritedEnd, this, [answered(chunk), ...rest]);
  };
  // Refused without a word, or the client gave up: the span ends, without a status.
  socket.once('close', () => {
    restore();
    endSpan(undefined);
  });
}

/**
 * The head with `name: value` added before its blank line, unless it has
 * that header already (the app's own wins) or is not a whole head. The
 * request id is visible ASCII (src/core/ids), so it cannot break the head.
 */
export function withHeader(head: string, name: string, value: string): string {
  const end = head.indexOf('\r\n\r\n');
  if (end === -1) return head;
  const lines = head.slice(0, end).toLowerCase();
  if (lines.includes(`\r\n${name.toLowerCase()}:`)) return head;
  return `${head.slice(0, end)}\r\n${name}: ${value}${head.slice(end)}`;
}

const BINDS_UPGRADE = Symbol('tracehop.upgrade.client-bound');

/**
 * For instrumentation-http's request hook: a client request that asks for
 * an upgrade gets one listener (run in the caller's context, as all its
 * listeners are) that binds the upgraded socket's events to that context.
 * Other requests are left as they are.
 */
export function bindClientUpgrade(request: ClientRequest): void {
  const target = request as ClientRequest & { [BINDS_UPGRADE]?: true };
  if (target[BINDS_UPGRADE] || typeof request.getHeader !== 'function' || request.getHeader('upgrade') === undefined) return;
  target[BINDS_UPGRADE] = true;
  request.prependListener('upgrade', (_response: IncomingMessage, socket: Socket) => {
    bindEmit(socket, context.active());
  });
}
