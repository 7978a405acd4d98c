/**
 * Puts the request's correlation on every span of its call tree.
 *
 * A server span is where this service's hop enters the chain: its span id is
 * the hop id. Every span started in the request's context then carries
 * `request.id` and `request.chain`, so a Jaeger tag search on either finds
 * the trace, whichever span it lands on.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { REQUEST_CHAIN_ATTRIBUTE, REQUEST_ID_ATTRIBUTE, getCorrelation } from '../propagation/correlation';

export class CorrelationSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const correlation = getCorrelation(parentContext);
    if (correlation === undefined) return;
    if (span.kind === SpanKind.SERVER) correlation.enterHop(span.spanContext().spanId);
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
