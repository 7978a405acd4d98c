/**
 * W3C Baggage, plus the request's `request.id` and `request.chain` entries on
 * the way out. The W3C propagator enforces the specification's size and
 * count limits on what is sent.
 */
import { propagation } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { getCorrelation } from './correlation';

export class CorrelationBaggagePropagator implements TextMapPropagator {
  private readonly w3c = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const correlation = getCorrelation(context);
    if (correlation !== undefined) {
      context = propagation.setBaggage(context, correlation.outgoingBaggage(propagation.getBaggage(context)));
    }
    this.w3c.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.w3c.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.w3c.fields();
  }
}
