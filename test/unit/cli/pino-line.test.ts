import { levelName, readPinoRecord } from '../../../src/cli/pino-line';

describe('readPinoRecord', () => {
  test.each<[string, string, Record<string, unknown> | null]>([
    ['a pino line', '{"level":30,"time":1,"msg":"hi"}', { level: 30, time: 1, msg: 'hi' }],
    ['a line with a prefix before its object', '2026-01-01 app | {"msg":"hi"}', { msg: 'hi' }],
    ['a line with no object', 'Server listening on 3000', null],
    ['an empty line', '', null],
    ['a brace that starts no JSON', 'at f (file.js:1) {', null],
    ['JSON that is an array', '[{"msg":"hi"}]', null],
    ['JSON cut short', '{"msg":"hi"', null],
    ['an object after a brace that is not JSON', '{ not json } {"msg":"hi"}', null],
  ])('%s', (_title, text, expected) => {
    expect(readPinoRecord(text)).toEqual(expected);
  });
});

describe('levelName', () => {
  test.each<[string, unknown, string]>([
    ["pino's info", 30, 'info'],
    ["pino's fatal", 60, 'fatal'],
    ['a custom numeric level', 35, '35'],
    ['a level written as a word', 'notice', 'notice'],
    ['no level', undefined, ''],
    ['a null level', null, ''],
    ['an object, as JSON rather than [object Object]', { n: 1 }, '{"n":1}'],
  ])('%s', (_title, level, expected) => {
    expect(levelName(level)).toBe(expected);
  });
});
