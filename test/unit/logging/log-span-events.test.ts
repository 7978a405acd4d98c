import { eventAttributes, lineLevel } from '../../../src/logging/log-span-events';

describe('lineLevel', () => {
  test.each([
    ['a numeric level first', '{"level":50,"time":1,"msg":"x"}', 50],
    ['the info level', '{"level":30,"msg":"x"}', 30],
    ['a custom three-digit level', '{"level":100,"msg":"x"}', 100],
    ['a label level (formatters.level)', '{"level":"error","msg":"x"}', 50],
    ['an unknown label', '{"level":"loud","msg":"x"}', 0],
    ['a label that is an Object.prototype name', '{"level":"constructor","msg":"x"}', 0],
    ['a level that is not first', '{"time":1,"level":50}', 0],
    ['an empty line', '', 0],
    ['not JSON at all', 'level 50', 0],
  ])('%s', (_title, line, expected) => {
    expect(lineLevel(line)).toBe(expected);
  });
});

describe('eventAttributes', () => {
  test.each([
    ['level and message', { level: 50, msg: 'failed' }, { 'log.severity': 'error', 'log.message': 'failed' }],
    ['a fatal record', { level: 60, msg: 'down' }, { 'log.severity': 'fatal', 'log.message': 'down' }],
    [
      'an err as exception.* attributes',
      { level: 50, msg: 'failed', err: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at x' } },
      {
        'log.severity': 'error',
        'log.message': 'failed',
        'exception.type': 'TypeError',
        'exception.message': 'bad',
        'exception.stacktrace': 'TypeError: bad\n    at x',
      },
    ],
    ['an err that is not an object', { level: 50, err: 'oops' }, { 'log.severity': 'error' }],
    ['a label level', { level: 'warn', msg: 'm' }, { 'log.severity': 'warn', 'log.message': 'm' }],
    ['a custom numeric level', { level: 55 }, { 'log.severity': '55' }],
  ])('%s', (_title, record, expected) => {
    expect(eventAttributes(record)).toEqual(expected);
  });
});
