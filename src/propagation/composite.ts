/**
 * The propagator tracehop installs: the ones OTEL_PROPAGATORS names, in that
 * order, with the request-id propagator last (it reads what they extracted).
 */
import { CompositePropagator } from '@opentelemetry/core';
import type { TextMapPropagator } from '@opentelemetry/api';
import type { PropagatorName } from '../config';
import { CorrelationBaggagePropagator } from './baggage-propagator';
import { TraceContextPropagator } from './trace-context';
import type { RequestIdPropagator } from './request-id-propagator';

export function buildPropagator(names: readonly PropagatorName[], requestId: RequestIdPropagator): TextMapPropagator {
  const propagators = names.map(propagatorFor);
  propagators.push(requestId);
  return new CompositePropagator({ propagators });
}

function propagatorFor(name: PropagatorName): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new TraceContextPropagator();
    case 'baggage':
      return new CorrelationBaggagePropagator();
    case 'b3': {
      // Loaded only when asked for: start-up pays for what the configuration uses.
      const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    }
    case 'b3multi': {
      const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    }
  }
}
