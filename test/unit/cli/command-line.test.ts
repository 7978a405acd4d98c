import { flag, list, nonEmpty, oneOf, parseCommandLine, value, wholeNumber } from '../../../src/cli/command-line';
import type { CommandSpec, OptionSpecs, ParsedCommandLine } from '../../../src/cli/command-line';

const OPTIONS = {
  json: flag(),
  mode: value(oneOf(['fast', 'slow'])),
  count: value(wholeNumber(1, 10)),
  wait: value(wholeNumber(1, Number.MAX_SAFE_INTEGER, 'milliseconds')),
  require: value(nonEmpty('a module'), 'r'),
  files: list('file'),
} as const;
const spec = (positionals: CommandSpec<OptionSpecs>['positionals']): CommandSpec<typeof OPTIONS> => ({ options: OPTIONS, positionals });
type Parsed = ParsedCommandLine<typeof OPTIONS>;
const run = (options: Array<{ name: string; value: unknown }>, positionals: string[] = []): Parsed => ({ kind: 'run', options, positionals }) as Parsed;
const error = (message: string): Parsed => ({ kind: 'error', message });

describe('parseCommandLine', () => {
  test.each<[string, 'app' | 'operands' | 'none', string[], Parsed]>([
    [
      'options in the order given, repeated ones each kept',
      'operands',
      ['-r', 'a', '--json', '--require=b'],
      run([
        { name: 'require', value: 'a' },
        { name: 'json', value: true },
        { name: 'require', value: 'b' },
      ]),
    ],
    [
      'a value inline or as the next argument, even one starting with a dash',
      'operands',
      ['--count=3', '-r', '-x'],
      run([
        { name: 'count', value: 3 },
        { name: 'require', value: '-x' },
      ]),
    ],
    ['operands wherever they stand, - among them', 'operands', ['a', '--json', '-', 'b'], run([{ name: 'json', value: true }], ['a', '-', 'b'])],
    ['-- makes the rest operands', 'operands', ['--', '--json'], run([], ['--json'])],
    [
      "the first operand ends the options: the rest is the app's",
      'app',
      ['--json', 'app.js', '--json', '-h'],
      run([{ name: 'json', value: true }], ['app.js', '--json', '-h']),
    ],
    ['-- ends the options before the app', 'app', ['--', '-odd.js', 'x'], run([], ['-odd.js', 'x'])],
    [
      'a list takes the arguments up to the next option',
      'none',
      ['--files', 'a', 'b', '--json'],
      run([
        { name: 'files', value: ['a', 'b'] },
        { name: 'json', value: true },
      ]),
    ],
    ['a list with its first value inline', 'none', ['--files=a', 'b'], run([{ name: 'files', value: ['a', 'b'] }])],
    ['--help wins when it comes first', 'operands', ['--help', '--count=0'], { kind: 'help' }],
    ['-h', 'none', ['-h'], { kind: 'help' }],
    ['an error before --help wins', 'operands', ['--count=0', '--help'], error('--count takes a whole number from 1 to 10, not "0"')],
    ['an unknown option, named as typed', 'operands', ['--verbose=2'], error('unknown option --verbose=2')],
    ['an operand where none is taken', 'none', ['extra'], error('unknown argument extra')],
    ['a list with nothing after it', 'none', ['--files', '--json'], error('--files needs at least one file')],
    ['a missing value, named as typed', 'operands', ['-r'], error('-r needs a module')],
    ['an empty value', 'operands', ['--require='], error('--require needs a module')],
    ['a word not among the choices', 'operands', ['--mode=medium'], error('--mode takes fast or slow, not "medium"')],
    ['a choice not given', 'operands', ['--mode'], error('--mode takes fast or slow, not nothing')],
    ['a number with no upper bound names its unit', 'operands', ['--wait', 'soon'], error('--wait takes a whole number of milliseconds, not "soon"')],
    ['a blank number', 'operands', ['--count', ' '], error('--count takes a whole number from 1 to 10, not " "')],
    ['a fraction', 'operands', ['--count=1.5'], error('--count takes a whole number from 1 to 10, not "1.5"')],
  ])('%s', (_title, positionals, argv, expected) => {
    expect(parseCommandLine(argv, spec(positionals))).toEqual(expected);
  });
});
