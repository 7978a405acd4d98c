/**
 * Start-span hooks of the outgoing http and fetch instrumentations: they
 * judge each destination against the propagation policy just before the
 * instrumentation injects headers (see `DestinationGate`).
 */
import type { RequestOptions } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig, UndiciRequest } from '@opentelemetry/instrumentation-undici';
import type { DestinationGate } from '../propagation/policy-propagator';

const NO_ATTRIBUTES = Object.freeze({});

export function httpClientHooks(gate: DestinationGate): Pick<HttpInstrumentationConfig, 'startOutgoingSpanHook'> {
  return {
    startOutgoingSpanHook: (request: RequestOptions) => {
      gate.judge(request.hostname ?? request.host ?? 'localhost');
      return NO_ATTRIBUTES;
    },
  };
}

export function fetchClientHooks(gate: DestinationGate): Pick<UndiciInstrumentationConfig, 'startSpanHook'> {
  return {
    startSpanHook: (request: UndiciRequest) => {
      gate.judge(hostOfOrigin(request.origin));
      return NO_ATTRIBUTES;
    },
  };
}

/** `http://host:port` -> `host`; bracketed IPv6 kept for `normaliseHost`. */
function hostOfOrigin(origin: string): string | undefined {
  const start = origin.indexOf('//');
  if (start === -1) return undefined;
  const rest = origin.slice(start + 2);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  return at === -1 ? authority : authority.slice(at + 1);
}
