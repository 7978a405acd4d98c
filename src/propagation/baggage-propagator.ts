/**
 * W3C Baggage, plus the request's `request.id` and `request.chain` entries on
 * the way out. The W3C propagator enforces the specification's size and
 * count limits on what is sent.
 */
import { propagation } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { getCorrelation } from '../core/correlation';

const VISIBLE_ASCII = /^[!-~]*$/;

export class CorrelationBaggagePropagator implements TextMapPropagator {
  private readonly w3c = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const correlation = getCorrelation(context);
    if (correlation !== undefined) {
      context = propagation.setBaggage(context, correlation.outgoingBaggage(propagation.getBaggage(context)));
    }
    this.w3c.inject(context, carrier, setter);
  }

  /**
   * The W3C propagator passes entry keys and metadata through as received.
   * An entry whose key or metadata holds anything but visible ASCII (a NUL,
   * CR/LF, non-ASCII) is dropped: sent on, it would make Node refuse the
   * outgoing request's headers. Values are safe: they are percent-encoded.
   */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.w3c.extract(context, carrier, getter);
    const bag = propagation.getBaggage(extracted);
    if (bag === undefined) return extracted;
    let clean = bag;
    for (const [key, entry] of bag.getAllEntries()) {
      if (!VISIBLE_ASCII.test(key) || (entry.metadata !== undefined && !VISIBLE_ASCII.test(entry.metadata.toString()))) {
        clean = clean.removeEntry(key);
      }
    }
    return clean === bag ? extracted : propagation.setBaggage(extracted, clean);
  }

  fields(): string[] {
    return this.w3c.fields();
  }
}
