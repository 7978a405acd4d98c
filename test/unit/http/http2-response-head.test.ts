import { withHeadFields } from '../../../src/http/http2-response-head';
import type { HeadFields } from '../../../src/http/head-guard';

const TIMING = 'traceparent;desc="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"';
const ID_ONLY: HeadFields = { requestIdHeader: 'X-Request-ID', requestId: 'req-1', exposeHeaders: undefined, serverTiming: undefined };
const ALL: HeadFields = { requestIdHeader: 'X-Request-ID', requestId: 'req-1', exposeHeaders: ['X-Request-ID', 'Server-Timing'], serverTiming: TIMING };

describe('withHeadFields, over a headers object', () => {
  test.each<[string, Record<string, unknown> | undefined, HeadFields, Record<string, unknown>]>([
    ['no headers: the default status and the request id', undefined, ID_ONLY, { ':status': 200, 'x-request-id': 'req-1' }],
    [
      "the app's status and headers are kept",
      { ':status': 404, 'content-type': 'text/plain' },
      ID_ONLY,
      { ':status': 404, 'content-type': 'text/plain', 'x-request-id': 'req-1' },
    ],
    ['a request id the app set, in any case, is kept', { ':status': 200, 'X-Request-ID': 'app-id' }, ID_ONLY, { ':status': 200, 'X-Request-ID': 'app-id' }],
    [
      "Server-Timing and the exposed names are appended to the app's",
      { 'server-timing': 'db;dur=5', 'access-control-expose-headers': 'X-Page' },
      ALL,
      {
        ':status': 200,
        'x-request-id': 'req-1',
        'server-timing': `db;dur=5, ${TIMING}`,
        'access-control-expose-headers': 'X-Page, X-Request-ID, Server-Timing',
      },
    ],
  ])('%s', (_title, given, fields, expected) => {
    expect(withHeadFields(given, fields)).toEqual(expected);
  });

  test("the app's object is copied, never changed", () => {
    const given = { ':status': 201 };
    withHeadFields(given, ALL);
    expect(given).toEqual({ ':status': 201 });
  });
});

describe('withHeadFields, over raw headers', () => {
  test.each<[string, unknown[], HeadFields, unknown[]]>([
    [
      'the request id is appended, the status put first',
      ['content-type', 'text/plain'],
      ID_ONLY,
      [':status', 200, 'content-type', 'text/plain', 'x-request-id', 'req-1'],
    ],
    ["the app's status and request id are kept", [':status', 500, 'x-request-id', 'app-id'], ID_ONLY, [':status', 500, 'x-request-id', 'app-id']],
    [
      "the app's Server-Timing entries become one with ours",
      [':status', 200, 'server-timing', 'db;dur=5'],
      { ...ID_ONLY, serverTiming: TIMING },
      [':status', 200, 'x-request-id', 'req-1', 'server-timing', `db;dur=5, ${TIMING}`],
    ],
  ])('%s', (_title, given, fields, expected) => {
    const copy = given.slice();
    expect(withHeadFields(given, fields)).toEqual(expected);
    expect(given).toEqual(copy);
  });
});
