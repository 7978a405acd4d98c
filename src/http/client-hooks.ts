/**
 * Start-span hooks of the outgoing http and fetch instrumentations: they
 * judge each destination against the propagation policy just before the
 * instrumentation injects headers (see `DestinationGate`). Their ignore
 * hooks leave alone a request the app's tooling marks as its own traffic
 * (`isOwnTraffic`: Sentry's envelopes, src/sentry/): no span, no headers.
 */
import type { ClientRequest, RequestOptions } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig, UndiciRequest } from '@opentelemetry/instrumentation-undici';
import type { DestinationGate } from '../propagation/policy-propagator';
import { bindClientUpgrade } from './upgrade-server-span';

const NO_ATTRIBUTES = Object.freeze({});

/** Whether the request being made is another tool's own traffic, to be left untraced. */
export type OwnTraffic = () => boolean;

const NOT_OWN_TRAFFIC: OwnTraffic = () => false;

export function httpClientHooks(
  gate: DestinationGate,
  requestIdHeader: string,
  isOwnTraffic: OwnTraffic = NOT_OWN_TRAFFIC,
): Pick<HttpInstrumentationConfig, 'startOutgoingSpanHook' | 'ignoreOutgoingRequestHook' | 'requestHook'> {
  const name = requestIdHeader.toLowerCase();
  return {
    ignoreOutgoingRequestHook: () => isOwnTraffic(),
    startOutgoingSpanHook: (request: RequestOptions) => {
      gate.judge(
        () => request.hostname ?? request.host ?? 'localhost',
        () => hasHeader(request.headers, name),
      );
      return NO_ATTRIBUTES;
    },
    // A WebSocket (or other upgrade) client's socket events run in the caller's context, not the client span's.
    requestHook: (_span, request) => {
      if (typeof (request as ClientRequest).getHeader === 'function') bindClientUpgrade(request as ClientRequest);
    },
  };
}

export function fetchClientHooks(
  gate: DestinationGate,
  requestIdHeader: string,
  isOwnTraffic: OwnTraffic = NOT_OWN_TRAFFIC,
): Pick<UndiciInstrumentationConfig, 'startSpanHook' | 'ignoreRequestHook'> {
  const name = requestIdHeader.toLowerCase();
  return {
    ignoreRequestHook: () => isOwnTraffic(),
    startSpanHook: (request: UndiciRequest) => {
      gate.judge(
        () => hostOfOrigin(String(request.origin)),
        () => hasHeader(request.headers, name),
      );
      return NO_ATTRIBUTES;
    },
  };
}

/**
 * Whether outgoing headers hold `name` (lowercase): a plain object (http),
 * a flat [name, value, ...] list (http raw headers, undici) or undici's
 * `name: value\r\n` string.
 */
export function hasHeader(headers: unknown, name: string): boolean {
  if (headers === undefined || headers === null) return false;
  if (typeof headers === 'string')
    return headers
      .toLowerCase()
      .split('\r\n')
      .some(line => line.startsWith(`${name}:`));
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return true;
    }
    return false;
  }
  if (typeof headers === 'object') return Object.keys(headers).some(key => key.toLowerCase() === name);
  return false;
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
