/**
 * Per-request set-up at the HTTP server, run as the server span starts
 * (tracehop's own, or instrumentation-http's), before the app's handler sees
 * the request: the response gets the request-id header (and, when on, the
 * CORS and Server-Timing additions), kept through to the written head
 * (head-guard.ts), so every status (404 and 500 included) carries it; and an
 * armed trace id that no span took is dropped.
 */
import { context } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { getCorrelation } from '../core/correlation';
import type { RequestIdGenerator } from '../core/id-generator';
import { setHeadFields } from './head-guard';
import { pathMatcher } from './ignore-paths';
import { SERVER_TIMING_HEADER, traceparentTiming } from './response-fields';
import type { ServerSpanOptions } from './server-span';

export interface ServerHookOptions {
  /** The response header that echoes the request id. */
  readonly responseHeader: string;
  readonly ignorePaths: readonly string[];
  readonly idGenerator: RequestIdGenerator;
  /** TRACEHOP_CORS_EXPOSE_HEADERS: list our headers in Access-Control-Expose-Headers when the request has an Origin. */
  readonly exposeToBrowsers: boolean;
  /** TRACEHOP_SERVER_TIMING: answer with `Server-Timing: traceparent;desc=...`. */
  readonly serverTiming: boolean;
}

type HttpHooks = Pick<HttpInstrumentationConfig, 'responseHook' | 'ignoreIncomingRequestHook'>;

export function serverHooks(options: ServerHookOptions): HttpHooks {
  const isIgnored = pathMatcher(options.ignorePaths);
  const exposedNames = options.serverTiming ? [options.responseHeader, SERVER_TIMING_HEADER] : [options.responseHeader];
  return {
    ignoreIncomingRequestHook: (request: IncomingMessage) => isIgnored(request.url),
    // For a server span the instrumentation calls this with the ServerResponse
    // as the span starts; for a client span, with the IncomingMessage when the
    // response arrives (which has no setHeader, and is left alone).
    responseHook: (span: Span, response: IncomingMessage | ServerResponse) => {
      if (typeof (response as ServerResponse).setHeader !== 'function') return;
      onServerSpanStart(span, response as ServerResponse);
    },
  };

  function onServerSpanStart(span: Span, response: ServerResponse): void {
    options.idGenerator.disarm();
    const correlation = getCorrelation(context.active());
    if (correlation === undefined) return;
    // Normally done as the span started (CorrelationSpanProcessor); a
    // non-recording span from a sampled-out trace skips processors.
    correlation.enterHop(span.spanContext().spanId);
    const origin = (response as { req?: IncomingMessage }).req?.headers.origin;
    setHeadFields(response, {
      requestIdHeader: options.responseHeader,
      requestId: correlation.requestId,
      exposeHeaders: options.exposeToBrowsers && origin !== undefined ? exposedNames : undefined,
      serverTiming: options.serverTiming ? traceparentTiming(span.spanContext()) : undefined,
    });
  }
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
    onStart: (span, response) => hooks.responseHook?.(span, response),
  };
}
