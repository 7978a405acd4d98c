/**
 * Per-request set-up at the HTTP server, run as the server span starts
 * (tracehop's own, or instrumentation-http's), before the app's handler sees
 * the request: the response gets the request-id header (and, when on, the
 * CORS and Server-Timing additions), kept through to the written head
 * (head-guard.ts), so every status (404 and 500 included) carries it; and an
 * armed trace id that no span took is dropped. Before the span starts, the
 * request is decided (src/core/request-start.ts): its request id, and the
 * trace id its root span takes.
 */
import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { getCorrelation } from '../core/correlation';
import type { RequestIdGenerator } from '../core/id-generator';
import type { RequestIdPolicy } from '../core/request-id-policy';
import { decideRequest } from '../core/request-start';
import type { ClaimedCarriers } from '../core/request-start';
import { setHeadFields } from './head-guard';
import type { HeadFields } from './head-guard';
import { pathMatcher } from './ignore-paths';
import { SERVER_TIMING_HEADER, traceparentTiming } from './response-fields';
import type { ServerSpanOptions } from './server-span';
import type { UpgradeServerSpanOptions } from './upgrade-server-span';

export interface ServerHookOptions {
  /** The response header that echoes the request id. */
  readonly responseHeader: string;
  readonly ignorePaths: readonly string[];
  readonly idGenerator: RequestIdGenerator;
  readonly requestIds: RequestIdPolicy;
  /** Shared with the request-id propagator: instrumentation-http's extract finds the request its start hook decided. */
  readonly claimed: ClaimedCarriers;
  /** TRACEHOP_CORS_EXPOSE_HEADERS: list our headers in Access-Control-Expose-Headers when the request has an Origin. */
  readonly exposeToBrowsers: boolean;
  /** TRACEHOP_SERVER_TIMING: answer with `Server-Timing: traceparent;desc=...`. */
  readonly serverTiming: boolean;
}

type HttpHooks = Pick<HttpInstrumentationConfig, 'responseHook' | 'ignoreIncomingRequestHook' | 'startIncomingSpanHook'>;
const NO_ATTRIBUTES: Attributes = Object.freeze({});

export function serverHooks(options: ServerHookOptions): HttpHooks {
  const isIgnored = pathMatcher(options.ignorePaths);
  const fieldsAtStart = headFieldsAtStart(options);
  return {
    ignoreIncomingRequestHook: (request: IncomingMessage) => isIgnored(request.url),
    // Called with the request just before instrumentation-http extracts its
    // headers and starts the span, in the same synchronous run: the request
    // is decided here, its trace id armed (disarmed in responseHook, or at
    // the end of the run), and its correlation claimed for extract to find.
    startIncomingSpanHook: (request: IncomingMessage) => {
      const start = decideRequest(propagation.extract(ROOT_CONTEXT, request.headers), options.requestIds);
      const correlation = getCorrelation(start.context);
      if (correlation !== undefined) options.claimed.claim(request.headers, correlation);
      if (start.traceId !== undefined) options.idGenerator.arm(start.traceId);
      return NO_ATTRIBUTES;
    },
    // For a server span the instrumentation calls this with the ServerResponse
    // as the span starts; for a client span, with the IncomingMessage when the
    // response arrives (which has no setHeader, and is left alone).
    responseHook: (span: Span, response: IncomingMessage | ServerResponse) => {
      if (typeof (response as ServerResponse).setHeader !== 'function') return;
      onServerSpanStart(span, response as ServerResponse);
    },
  };

  function onServerSpanStart(span: Span, response: ServerResponse): void {
    const origin = (response as { req?: IncomingMessage }).req?.headers.origin;
    const fields = fieldsAtStart(span, origin);
    if (fields !== undefined) setHeadFields(response, fields);
  }
}

/**
 * Run in a server span's context as it starts, whatever the protocol: drops
 * the armed trace id, enters the request's hop, and says which head fields
 * its response must carry (undefined outside a request). HTTP/1.1 sets them
 * on its ServerResponse (above); HTTP/2 adds them as the stream responds
 * (http2-response-head.ts).
 */
export function headFieldsAtStart(options: ServerHookOptions): (span: Span, origin: string | undefined) => HeadFields | undefined {
  const exposedNames = options.serverTiming ? [options.responseHeader, SERVER_TIMING_HEADER] : [options.responseHeader];
  return (span, origin) => {
    options.idGenerator.disarm();
    const correlation = getCorrelation(context.active());
    if (correlation === undefined) return undefined;
    // Normally done as the span started (CorrelationSpanProcessor); a
    // non-recording span from a sampled-out trace skips processors.
    correlation.enterHop(span.spanContext().spanId);
    return {
      requestIdHeader: options.responseHeader,
      requestId: correlation.requestId,
      exposeHeaders: options.exposeToBrowsers && origin !== undefined ? exposedNames : undefined,
      serverTiming: options.serverTiming ? traceparentTiming(span.spanContext()) : undefined,
    };
  };
}

/**
 * The same set-up for tracehop's own server span: run in the span's context
 * as it starts (see serverHooks).
 */
export function serverSpanOptions(options: ServerHookOptions): Omit<ServerSpanOptions, 'tracer'> {
  const hooks = serverHooks(options);
  const isIgnored = pathMatcher(options.ignorePaths);
  return {
    isIgnored: request => isIgnored(request.url),
    startRequestSpan: (extracted: Context, startSpan: (parent: Context) => Span) => {
      const start = decideRequest(extracted, options.requestIds);
      return { span: options.idGenerator.withTraceId(start.traceId, () => startSpan(start.context)), parent: start.context };
    },
    onStart: (span, response) => hooks.responseHook?.(span, response),
  };
}

/** The same request rules for an upgrade request (upgrade-server-span.ts). */
export function upgradeServerSpanOptions(options: ServerHookOptions): Omit<UpgradeServerSpanOptions, 'tracer'> {
  return {
    isIgnored: pathMatcher(options.ignorePaths),
    startRequestSpan: serverSpanOptions(options).startRequestSpan,
    fieldsAtStart: headFieldsAtStart(options),
  };
}
