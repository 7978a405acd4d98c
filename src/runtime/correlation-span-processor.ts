/**
 * Puts the request's correlation on every span of its call tree.
 *
 * A server span is where this service's hop enters the chain: its span id is
 * the hop id. Every span started in the request's context then carries
 * `request.id` and `request.chain`, so a Jaeger tag search on either finds
 * the trace, whichever span it lands on. In edge mode the server span also
 * keeps what the client sent: its request id as `request.client_id`, and
 * its traceparent as a link.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { CLIENT_REQUEST_ID_ATTRIBUTE, REQUEST_CHAIN_ATTRIBUTE, REQUEST_ID_ATTRIBUTE, getCorrelation } from '../core/correlation';

export class CorrelationSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const correlation = getCorrelation(parentContext);
    if (correlation === undefined) return;
    if (span.kind === SpanKind.SERVER) correlation.rootSpan ??= span;
    if (span.kind === SpanKind.SERVER && correlation.enterHop(span.spanContext().spanId) && correlation.client !== undefined) {
      const { requestId, parent } = correlation.client;
      if (requestId !== undefined) span.setAttribute(CLIENT_REQUEST_ID_ATTRIBUTE, requestId);
      if (parent !== undefined) span.addLink({ context: parent });
    }
    span.setAttribute(REQUEST_ID_ATTRIBUTE, correlation.requestId);
    span.setAttribute(REQUEST_CHAIN_ATTRIBUTE, correlation.chain);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
