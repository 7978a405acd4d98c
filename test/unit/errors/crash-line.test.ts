import { crashLine, describeError } from '../../../src/errors/crash-line';
import { DEFAULT_LOG_FIELDS } from '../../../src/config';

const FACTS = { time: 1_764_590_000_000, pid: 4242, hostname: 'cards-1', origin: 'uncaughtException' };

describe('describeError', () => {
  class CardError extends Error {}
  test.each([
    ['an Error', new TypeError('bad'), { type: 'TypeError', message: 'bad' }],
    ['a subclass, by its constructor name as pino does', new CardError('lost'), { type: 'CardError', message: 'lost' }],
    ['a thrown string', 'just text', { type: 'string', message: 'just text' }],
    ['a thrown number', 42, { type: 'number', message: '42' }],
    ['undefined', undefined, { type: 'undefined', message: 'undefined' }],
    ['an object that cannot be printed', Object.create(null), { type: 'object', message: 'unprintable value' }],
  ])('%s', (_title, error, expected) => {
    expect(describeError(error)).toMatchObject(expected);
  });
});

describe('crashLine', () => {
  test("a crash in a request: pino's shape, level 60, with the request's ids", () => {
    const error = new RangeError('out of range');
    const line = crashLine(
      error,
      { traceId: 't'.repeat(32), spanId: 's'.repeat(16), requestId: 'req-1', requestChain: 'req-1,hop' },
      FACTS,
      DEFAULT_LOG_FIELDS,
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({
      level: 60,
      time: FACTS.time,
      pid: 4242,
      hostname: 'cards-1',
      trace_id: 't'.repeat(32),
      span_id: 's'.repeat(16),
      request_id: 'req-1',
      request_chain: 'req-1,hop',
      err: { type: 'RangeError', message: 'out of range', stack: error.stack },
      msg: 'uncaught exception: out of range',
    });
  });

  test('outside any request: no ids, and an unhandled rejection says so', () => {
    const record = JSON.parse(crashLine('plain reason', {}, { ...FACTS, origin: 'unhandledRejection' }, DEFAULT_LOG_FIELDS));
    expect(record).toEqual({
      level: 60,
      time: FACTS.time,
      pid: 4242,
      hostname: 'cards-1',
      err: { type: 'string', message: 'plain reason' },
      msg: 'unhandled rejection: plain reason',
    });
  });

  test('the configured field names are used', () => {
    const names = { ...DEFAULT_LOG_FIELDS, traceId: 'traceId', requestId: 'reqId' };
    const record = JSON.parse(crashLine(new Error('x'), { traceId: 'a'.repeat(32), requestId: 'r' }, FACTS, names));
    expect(record).toMatchObject({ traceId: 'a'.repeat(32), reqId: 'r' });
  });

  test('a message with a newline stays on one line', () => {
    const line = crashLine(new Error('line one\n{"level":30,"forged":true}'), {}, FACTS, DEFAULT_LOG_FIELDS);
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });
});
