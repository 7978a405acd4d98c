/**
 * Property tests: whatever a client sends in the request-id, traceparent,
 * tracestate and baggage headers, extraction never throws, a value that
 * failed validation is never used as the request id or chain, and what we
 * propagate stays within the W3C Baggage limits.
 */
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import * as fc from 'fast-check';
import { MAX_CHAIN_HOPS } from '../../../src/core/ids/chain';
import { isAcceptableId } from '../../../src/core/ids/request-id';
import { buildPropagator } from '../../../src/propagation/composite';
import { getCorrelation } from '../../../src/core/correlation';
import { RequestIdPropagator } from '../../../src/propagation/request-id-propagator';
import { RequestIdPolicy, builtInRequestIds } from '../../../src/core/request-id-policy';
import { decideRequest } from '../../../src/core/request-start';

// W3C Baggage: at most 8192 bytes in all, 180 members, as OpenTelemetry JS enforces them.
const MAX_BAGGAGE_BYTES = 8192;
const MAX_BAGGAGE_MEMBERS = 180;

const requestIds = new RequestIdPolicy(builtInRequestIds('uuid4'));
const propagator = buildPropagator(
  ['tracecontext', 'baggage'],
  new RequestIdPropagator({
    headers: ['x-request-id', 'x-correlation-id'],
    outgoingHeader: 'X-Request-ID',
    requestIds,
  }),
);

const anyString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom('a', ',', ' ', '\r', '\n', '=', ';', '%', '"', '\u00e9', '\u0000', '-', '0'), { maxLength: 400 }).map(parts => parts.join('')),
  fc.constant('x'.repeat(100_000)),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 50 }).map(parts => parts.join(',')),
);
const headerValue = fc.oneof(anyString, fc.array(anyString, { minLength: 2, maxLength: 5 }));
const baggage = fc.oneof(
  anyString,
  fc.integer({ min: 0, max: 3000 }).map(count => Array.from({ length: count }, (_, i) => `k${i}=v${i}`).join(',')),
  fc
    .string({ maxLength: 20 })
    .map(value => `request.id=${encodeURIComponent(value)},request.chain=${encodeURIComponent(`${value},${'h'.repeat(16)},`.repeat(50))}`),
);

describe('hostile incoming headers', () => {
  test('extraction never throws and never adopts an unacceptable id', () => {
    fc.assert(
      fc.property(
        fc.record(
          { 'x-request-id': headerValue, 'x-correlation-id': headerValue, traceparent: headerValue, tracestate: headerValue, baggage },
          { requiredKeys: [] },
        ),
        headers => {
          const context = decideRequest(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter), requestIds).context;
          const correlation = getCorrelation(context)!;
          expect(isAcceptableId(correlation.requestId)).toBe(true);
          correlation.enterHop('0123456789abcdef');
          const chain = correlation.chain.split(',');
          expect(chain.length).toBeLessThanOrEqual(MAX_CHAIN_HOPS + 1);
          for (const element of chain) expect(isAcceptableId(element)).toBe(true);
          const sentHeaders = [headers['x-request-id'], headers['x-correlation-id']].flat();
          if (!sentHeaders.some(value => typeof value === 'string' && value.split(',')[0] === correlation.requestId)) {
            // Not from a header: then from baggage, or new (a UUID).
            expect(correlation.requestId).toMatch(/^[!-~]+$/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  test('what we propagate stays within the W3C Baggage limits and carries only safe header values', () => {
    fc.assert(
      fc.property(baggage, headerValue, (incomingBaggage, requestId) => {
        const context = decideRequest(
          propagator.extract(ROOT_CONTEXT, { baggage: incomingBaggage, 'x-request-id': requestId }, defaultTextMapGetter),
          requestIds,
        ).context;
        getCorrelation(context)!.enterHop('0123456789abcdef');
        const out: Record<string, string> = {};
        propagator.inject(context, out, defaultTextMapSetter);
        const sentBaggage = out.baggage ?? '';
        expect(Buffer.byteLength(sentBaggage)).toBeLessThanOrEqual(MAX_BAGGAGE_BYTES);
        expect(sentBaggage === '' ? 0 : sentBaggage.split(',').length).toBeLessThanOrEqual(MAX_BAGGAGE_MEMBERS);
        for (const value of Object.values(out)) expect(value).toMatch(/^[!-~]*$/);
        expect(isAcceptableId(out['X-Request-ID'])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
