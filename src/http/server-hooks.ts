/**
 * Per-request set-up at the HTTP server, run by the http instrumentation as
 * its span starts, before the app's handler sees the request: the response
 * gets the request-id header, so every status (404 and 500 included)
 * carries it, and an armed trace id that no span took is dropped.
 */
import { context } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { getCorrelation } from '../propagation/correlation';
import type { RequestIdGenerator } from '../tracing/id-generator';
import { pathMatcher } from './ignore-paths';
import type { ServerSpanOptions } from './server-span';

export interface ServerHookOptions {
  /** The response header that echoes the request id. */
  readonly responseHeader: string;
  readonly ignorePaths: readonly string[];
  readonly idGenerator: RequestIdGenerator;
}

type HttpHooks = Pick<HttpInstrumentationConfig, 'responseHook' | 'ignoreIncomingRequestHook'>;

export function serverHooks(options: ServerHookOptions): HttpHooks {
  const isIgnored = pathMatcher(options.ignorePaths);
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
    if (!response.headersSent) response.setHeader(options.responseHeader, correlation.requestId);
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
