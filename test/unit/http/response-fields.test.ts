import { TraceFlags } from '@opentelemetry/api';
import { appendExposedHeaders, appendServerTiming, traceparentTiming } from '../../../src/http/response-fields';

const NAMES = ['X-Request-ID', 'Server-Timing'];
const TIMING = 'traceparent;desc="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"';

describe('appendExposedHeaders', () => {
  test.each<[string, string | number | string[] | undefined, string | null]>([
    ['no header yet', undefined, 'X-Request-ID, Server-Timing'],
    ['an empty header', '', 'X-Request-ID, Server-Timing'],
    ["the app's names come first", 'X-Total-Count', 'X-Total-Count, X-Request-ID, Server-Timing'],
    ['a name already there, in another case, is not added twice', 'x-request-id', 'x-request-id, Server-Timing'],
    ['both already there: nothing to change', 'Server-Timing,X-REQUEST-ID', null],
    ['a header set as an array', ['X-A', 'X-B'], 'X-A, X-B, X-Request-ID, Server-Timing'],
    ['a wildcard is kept, our names added for credentialed requests', '*', '*, X-Request-ID, Server-Timing'],
  ])('%s', (_title, existing, expected) => {
    expect(appendExposedHeaders(existing, NAMES)).toBe(expected);
  });
});

describe('appendServerTiming', () => {
  test.each<[string, string | string[] | undefined, string | null]>([
    ['no header yet', undefined, TIMING],
    ["appended to the app's metrics", 'db;dur=53, cache;desc="hit"', `db;dur=53, cache;desc="hit", ${TIMING}`],
    ['appended to an array of metrics', ['db;dur=53', 'app;dur=2'], `db;dur=53, app;dur=2, ${TIMING}`],
    ['a traceparent metric already there is not repeated', 'db;dur=1, traceparent;desc="00-x-y-01"', null],
    ['a metric whose name only starts with traceparent is not ours', 'traceparentish;dur=1', `traceparentish;dur=1, ${TIMING}`],
  ])('%s', (_title, existing, expected) => {
    expect(appendServerTiming(existing, TIMING)).toBe(expected);
  });
});

describe('traceparentTiming', () => {
  test.each([
    ['sampled', TraceFlags.SAMPLED, '01'],
    ['not sampled', TraceFlags.NONE, '00'],
  ])('a %s span gives its version-00 traceparent', (_title, traceFlags, flags) => {
    expect(traceparentTiming({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags })).toBe(
      `traceparent;desc="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-${flags}"`,
    );
  });
});
