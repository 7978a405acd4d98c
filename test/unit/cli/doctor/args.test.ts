import { DEFAULT_TIMEOUT_MS, parseDoctorArgs } from '../../../../src/cli/doctor/args';
import type { DoctorOptions, ParsedDoctorArgs } from '../../../../src/cli/doctor/args';

const defaults: Omit<DoctorOptions, 'script' | 'scriptArgs'> = { json: false, preload: 'require', timeoutMs: DEFAULT_TIMEOUT_MS, nodeArgs: [] };
const run = (options: Partial<DoctorOptions>): ParsedDoctorArgs => ({ kind: 'run', options: { ...defaults, script: 'app.js', scriptArgs: [], ...options } });

describe('parseDoctorArgs', () => {
  test.each<[string, string[], ParsedDoctorArgs]>([
    ['a script alone', ['app.js'], run({})],
    ["the script's own arguments are left to it", ['app.js', '--port', '3000', '--json'], run({ scriptArgs: ['--port', '3000', '--json'] })],
    ['--json', ['--json', 'app.js'], run({ json: true })],
    ['--preload=import', ['--preload=import', 'app.js'], run({ preload: 'import' })],
    ['--preload with a separate value', ['--preload', 'import', 'app.js'], run({ preload: 'import' })],
    ['--timeout=2500', ['--timeout=2500', 'app.js'], run({ timeoutMs: 2500 })],
    [
      "the app's own preloads, in order",
      ['-r', './pino-first.js', '--import', 'tsx', 'app.ts'],
      run({ script: 'app.ts', nodeArgs: ['--require', './pino-first.js', '--import', 'tsx'] }),
    ],
    ['--require=module', ['--require=dotenv/config', 'app.js'], run({ nodeArgs: ['--require', 'dotenv/config'] })],
    ['-- ends the options', ['--json', '--', '-weird-name.js', 'x'], run({ json: true, script: '-weird-name.js', scriptArgs: ['x'] })],
    ['--help', ['--help', 'app.js'], { kind: 'help' }],
    ['-h', ['-h'], { kind: 'help' }],
  ])('%s', (_title, argv, expected) => {
    expect(parseDoctorArgs(argv)).toEqual(expected);
  });

  test.each<[string, string[], RegExp]>([
    ['no arguments', [], /^no script to examine$/],
    ['options but no script', ['--json'], /^no script to examine$/],
    ['an unknown preload mode', ['--preload=loader', 'app.js'], /^--preload takes require or import, not "loader"$/],
    ['a timeout that is not a number', ['--timeout=soon', 'app.js'], /^--timeout takes a whole number of milliseconds, not "soon"$/],
    ['a zero timeout', ['--timeout=0', 'app.js'], /^--timeout takes/],
    ['-r without a module', ['-r'], /^-r needs a module$/],
    ['an unknown option', ['--verbose', 'app.js'], /^unknown option --verbose$/],
  ])('%s is an error', (_title, argv, message) => {
    const parsed = parseDoctorArgs(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toMatch(message);
  });
});
