/**
 * Queues messages in a PRODUCER span (`send <destination>`, or `send` for several destinations) of the active
 * trace, and gives the queuing code the carrier to attach to them: the
 * producer span's context, so the consumer is its child (or links to it).
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { injectContext } from './carrier';
import type { JobCarrier } from './carrier';
import { MESSAGING_MESSAGE_ID, producerAttributes } from './semconv';
import { reporter } from '../diag';

export interface ProducerOptions {
  readonly system: string;
  /** Undefined when the messages go to several destinations: the span is then named `send` alone. */
  readonly destination: string | undefined;
  /** How many messages this send queues (a bulk add queues several). */
  readonly count: number;
}

/**
 * Runs `send(carrier)` in a PRODUCER span. `send` returns the promise of the
 * queued message's id (or ids); the span ends when it settles. If the span
 * cannot be made, `send` runs with no carrier and nothing is recorded.
 */
export function produce<T>(
  options: ProducerOptions,
  send: (carrier: JobCarrier | undefined) => Promise<T>,
  messageId: (result: T) => string | undefined,
): Promise<T> {
  let span: Span;
  let carrier: JobCarrier;
  let sendContext: Context;
  try {
    span = trace.getTracer('tracehop-jobs').startSpan(options.destination === undefined ? 'send' : `send ${options.destination}`, {
      kind: SpanKind.PRODUCER,
      attributes: producerAttributes(options.system, options.destination, options.count),
    });
    sendContext = trace.setSpan(context.active(), span);
    carrier = injectContext(sendContext, {});
  } catch (error) {
    // The message is still sent, below; what is lost is its span and the context it would carry.
    reporter.warn('producer span failed', `a message was queued without its span and trace context: ${error instanceof Error ? error.message : typeof error}`);
    return send(undefined);
  }
  let sent: Promise<T>;
  try {
    sent = context.with(sendContext, () => send(carrier));
  } catch (error) {
    // The app's own error: recorded on the span, and passed on unchanged.
    endWithError(span, error);
    throw error;
  }
  return sent.then(
    result => {
      try {
        const id = messageId(result);
        if (id !== undefined) span.setAttribute(MESSAGING_MESSAGE_ID, id);
        span.end();
      } catch (error) {
        // The message was queued; the span is the only loss.
        reporter.warn('producer span end failed', `a PRODUCER span was not ended: ${error instanceof Error ? error.message : typeof error}`);
      }
      return result;
    },
    (error: unknown) => {
      endWithError(span, error);
      throw error;
    },
  );
}

function endWithError(span: Span, error: unknown): void {
  try {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  } catch (reason) {
    // The app sees its own error, not ours; what is lost is its record on the span.
    reporter.warn('producer span end failed', `a PRODUCER span was not ended with its error: ${reason instanceof Error ? reason.message : typeof reason}`);
  }
}
