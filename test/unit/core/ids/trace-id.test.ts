import { randomUUID } from 'node:crypto';
import { RequestIdPolicy } from '../../../../src/core/request-id-policy';
import { uuid7 } from '../../../../src/core/ids/uuid7';
import { requestIdToTraceId, sha256TraceId, traceIdToUuid } from '../../../../src/core/ids/trace-id';

describe('requestIdToTraceId', () => {
  // The SHA-256 vectors are fixed so that implementations in other languages
  // can check themselves against the same table.
  const table: Array<[string, string, string]> = [
    ['a lowercase UUID is its hex', '0dadb33f-ee15-470a-bfc8-5e35926793a5', '0dadb33fee15470abfc85e35926793a5'],
    ['an uppercase UUID is its lowercase hex', '0DADB33F-EE15-470A-BFC8-5E35926793A5', '0dadb33fee15470abfc85e35926793a5'],
    ['a mixed-case UUID is its lowercase hex', '0dAdB33f-Ee15-470a-BFC8-5e35926793A5', '0dadb33fee15470abfc85e35926793a5'],
    ['a UUID without dashes is itself', '0dadb33fee15470abfc85e35926793a5', '0dadb33fee15470abfc85e35926793a5'],
    ['32 uppercase hex digits are lowercased', 'ABCDEF0123456789ABCDEF0123456789', 'abcdef0123456789abcdef0123456789'],
    ['the all-zero UUID maps through SHA-256', '00000000-0000-0000-0000-000000000000', '12b9377cbe7e5c94e8a70d9d23929523'],
    ['32 zeros map through SHA-256', '00000000000000000000000000000000', '84e0c0eafaa95a34c293f278ac52e45c'],
    ['a free-form id maps through SHA-256', 'abc-123', '5942d94f524882e0f29bf0a1e5a6dcc9'],
    ['another free-form id maps through SHA-256', 'req_42!', '817c533fb8b96cc5f153d96a4cfff3de'],
    ['a 128-character id maps through SHA-256', 'A'.repeat(128), 'b6ac3cc10386331c765f04f041c147d0'],
    ['31 hex digits are not a UUID', '0dadb33fee15470abfc85e35926793a', sha256TraceId('0dadb33fee15470abfc85e35926793a')],
    ['a UUID with braces is not a UUID', '{0dadb33f-ee15-470a-bfc8-5e35926793a5}', sha256TraceId('{0dadb33f-ee15-470a-bfc8-5e35926793a5}')],
    ['a UUID with misplaced dashes is not a UUID', '0dadb33fe-e15-470a-bfc8-5e35926793a5', sha256TraceId('0dadb33fe-e15-470a-bfc8-5e35926793a5')],
  ];
  test.each(table)('%s', (_title, requestId, traceId) => {
    expect(requestIdToTraceId(requestId)).toBe(traceId);
    expect(requestIdToTraceId(requestId)).toMatch(/^[0-9a-f]{32}$/);
  });

  test('the SHA-256 rule differs from the hex rule for ids that only look alike', () => {
    expect(sha256TraceId('0dadb33fee15470abfc85e35926793a')).not.toBe('0dadb33fee15470abfc85e35926793a0');
  });
});

describe('traceIdToUuid', () => {
  test('writes a trace id as 8-4-4-4-12', () => {
    expect(traceIdToUuid('0dadb33fee15470abfc85e35926793a5')).toBe('0dadb33f-ee15-470a-bfc8-5e35926793a5');
  });

  test('round-trips with requestIdToTraceId', () => {
    const traceId = 'abcdef0123456789abcdef0123456789';
    expect(requestIdToTraceId(traceIdToUuid(traceId))).toBe(traceId);
  });
});

describe('the built-in ids take their trace id directly', () => {
  const table: Array<[string, () => string]> = [
    ['a UUID v4', () => randomUUID()],
    [
      'a UUID v7',
      () =>
        uuid7(
          Date.now(),
          Uint8Array.from({ length: 10 }, (_v, i) => (i * 37 + 11) & 0xff),
        ),
    ],
    ['a UUID v7 of all-ones random bytes', () => uuid7(0xffffffffffff, new Uint8Array(10).fill(0xff))],
  ];
  test.each(table)('%s: the same trace id as requestIdToTraceId, from the policy too', (_title, make) => {
    for (let i = 0; i < 50; i++) {
      const id = make();
      const policy = new RequestIdPolicy(() => id);
      expect(policy.generateWithTraceId()).toEqual({ requestId: id, traceId: requestIdToTraceId(id) });
    }
  });

  test("an app generator's id goes through the full mapping", () => {
    const policy = new RequestIdPolicy(() => randomUUID(), { generate: () => 'order-7' });
    expect(policy.generateWithTraceId()).toEqual({ requestId: 'order-7', traceId: requestIdToTraceId('order-7') });
  });
});
