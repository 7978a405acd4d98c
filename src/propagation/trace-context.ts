/**
 * W3C Trace Context, without an empty `tracestate`.
 *
 * The core propagator writes `tracestate` whenever the span context has a
 * trace state, even one left empty because every incoming member was
 * invalid; W3C Trace Context says a sender should not send an empty
 * `tracestate`. This one leaves the header out then.
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Context, TextMapSetter } from '@opentelemetry/api';

const TRACE_STATE_HEADER = 'tracestate';

export class TraceContextPropagator extends W3CTraceContextPropagator {
  override inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    super.inject(context, carrier, {
      set(target, key, value) {
        if (key === TRACE_STATE_HEADER && value === '') return;
        setter.set(target, key, value);
      },
    });
  }
}
