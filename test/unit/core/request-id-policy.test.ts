import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { RequestIdPolicy } from '../../../src/core/request-id-policy';
import type { RequestIdFunctions } from '../../../src/core/request-id-policy';

const BUILT_IN_ID = 'built-in-id';
let warnings: string[];

beforeEach(() => {
  warnings = [];
  const logger: DiagLogger = {
    error: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    warn: (message: string) => warnings.push(message),
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
});
afterEach(() => diag.disable());

const policy = (functions: RequestIdFunctions) => new RequestIdPolicy(() => BUILT_IN_ID, functions);
const boom = () => {
  throw new TypeError('app bug');
};

describe('generate', () => {
  test.each<[string, RequestIdFunctions, string, RegExp | undefined]>([
    ['the built-in format without a function', {}, BUILT_IN_ID, undefined],
    ["the app's id when acceptable", { generate: () => 'job-42' }, 'job-42', undefined],
    ['the built-in when it throws', { generate: boom }, BUILT_IN_ID, /generate threw TypeError; using the built-in rule/],
    [
      'the built-in when it returns a number',
      { generate: () => 42 as unknown as string },
      BUILT_IN_ID,
      /generate returned something that is not an acceptable request id/,
    ],
    ['the built-in when it returns an empty string', { generate: () => '' }, BUILT_IN_ID, /generate returned/],
    ['the built-in when it returns CR/LF', { generate: () => 'a\r\nSet-Cookie: x' }, BUILT_IN_ID, /generate returned/],
    ['the built-in when it returns a chain', { generate: () => 'a,b' }, BUILT_IN_ID, /generate returned/],
    ['the built-in when it returns 129 characters', { generate: () => 'x'.repeat(129) }, BUILT_IN_ID, /generate returned/],
  ])('%s', (_title, functions, expected, warning) => {
    expect(policy(functions).generate()).toBe(expected);
    if (warning === undefined) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  test('a failing function is reported once, however often it fails', () => {
    const failing = policy({ generate: boom });
    for (let i = 0; i < 5; i++) failing.generate();
    expect(warnings).toHaveLength(1);
  });
});

describe('parse', () => {
  const lowercase = (id: string) => id.toLowerCase();
  test.each<[string, RequestIdFunctions, string, { id: string; chain: string[] } | null, RegExp | undefined]>([
    ['the built-in rule alone', {}, 'Abc-1', { id: 'Abc-1', chain: ['Abc-1'] }, undefined],
    ['the built-in rule rejects before validate can accept', { validate: () => true }, 'a\nb', null, undefined],
    ['validate can widen nothing: 129 characters stay rejected', { validate: () => true }, 'x'.repeat(129), null, undefined],
    ['validate narrows', { validate: id => id.startsWith('req-') }, 'other-1', null, undefined],
    ['validate accepts', { validate: id => id.startsWith('req-') }, 'req-1', { id: 'req-1', chain: ['req-1'] }, undefined],
    ['validate sees the root of a chain', { validate: id => id === 'root' }, 'root,hop', { id: 'root', chain: ['root', 'hop'] }, undefined],
    ['a validate that throws: the built-in rule', { validate: boom }, 'req-1', { id: 'req-1', chain: ['req-1'] }, /validate threw TypeError/],
    [
      'a validate that returns a string: the built-in rule',
      { validate: () => 'yes' as unknown as boolean },
      'req-1',
      { id: 'req-1', chain: ['req-1'] },
      /validate returned something other than true or false/,
    ],
    ['transform rewrites the id', { transform: lowercase }, 'ABC', { id: 'abc', chain: ['abc'] }, undefined],
    ['transform rewrites the root of a chain, not its hops', { transform: lowercase }, 'ROOT,HOP', { id: 'root', chain: ['root', 'HOP'] }, undefined],
    ['transform strips a vendor prefix', { transform: id => id.replace(/^vendor:/, '') }, 'vendor:123', { id: '123', chain: ['123'] }, undefined],
    ['transform runs after validate', { validate: id => id === 'ABC', transform: lowercase }, 'ABC', { id: 'abc', chain: ['abc'] }, undefined],
    ['a transform that throws: the id as it came', { transform: boom }, 'ABC', { id: 'ABC', chain: ['ABC'] }, /transform threw TypeError/],
    [
      'a transform that returns CR/LF: the id as it came',
      { transform: () => 'x\r\ny' },
      'ABC',
      { id: 'ABC', chain: ['ABC'] },
      /transform returned something that is not an acceptable request id/,
    ],
    [
      'a transform that returns undefined: the id as it came',
      { transform: () => undefined as unknown as string },
      'ABC',
      { id: 'ABC', chain: ['ABC'] },
      /transform returned/,
    ],
  ])('%s', (_title, functions, header, expected, warning) => {
    expect(policy(functions).parse(header)).toEqual(expected);
    if (warning === undefined) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  test('no report repeats the value the function was given', () => {
    policy({ transform: boom, validate: boom }).parse('secret-token-123');
    expect(warnings.join('\n')).not.toContain('secret-token-123');
  });
});
