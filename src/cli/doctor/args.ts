/**
 * `tracehop doctor`'s command line. Pure: arguments in, options or an error
 * message out.
 */
import { flag, nonEmpty, oneOf, parseCommandLine, value, wholeNumber } from '../command-line';
import type { ParsedArgs } from '../command-line';

export const USAGE = `usage: tracehop doctor [options] <script> [script arguments...]

Starts <script> under the tracehop preload without sending it traffic, stops
it once it listens (or after the time limit), and reports what got hooked,
the effective configuration and whether the OTLP endpoint answers.

options:
  --json                  the report as JSON on stdout
  --preload=require       load tracehop with -r (the default)
  --preload=import        load tracehop with --import
  --timeout=<ms>          how long the app may take to listen once tracehop has
                          started in it (default 10000)
  -r, --require <module>  a preload of the app's own, loaded before tracehop
  --import <module>       an --import of the app's own, tsx for example (Node runs
                          every -r, tracehop's included, before any --import)
  -h, --help              this text

exit status: 0 when everything the configuration asks for works, 1 when
something does not, 2 when the app could not be examined.`;

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface DoctorOptions {
  readonly script: string;
  readonly scriptArgs: readonly string[];
  readonly json: boolean;
  readonly preload: 'require' | 'import';
  readonly timeoutMs: number;
  /** Node arguments that go before tracehop's preload, in order: `-r x`, `--import y`. */
  readonly nodeArgs: readonly string[];
}

export type ParsedDoctorArgs = ParsedArgs<DoctorOptions>;

const DOCTOR_COMMAND_LINE = {
  options: {
    json: flag(),
    preload: value(oneOf(['require', 'import'])),
    timeout: value(wholeNumber(1, Number.MAX_SAFE_INTEGER, 'milliseconds')),
    require: value(nonEmpty('a module'), 'r'),
    import: value(nonEmpty('a module')),
  },
  // Options come before the script; what follows it is the script's own.
  positionals: 'app',
} as const;

export function parseDoctorArgs(argv: readonly string[]): ParsedDoctorArgs {
  const parsed = parseCommandLine(argv, DOCTOR_COMMAND_LINE);
  if (parsed.kind !== 'run') return parsed;
  let json = false;
  let preload: DoctorOptions['preload'] = 'require';
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const nodeArgs: string[] = [];
  for (const option of parsed.options) {
    switch (option.name) {
      case 'json':
        json = true;
        break;
      case 'preload':
        preload = option.value;
        break;
      case 'timeout':
        timeoutMs = option.value;
        break;
      // In the order given: Node runs its preloads in that order.
      case 'require':
        nodeArgs.push('--require', option.value);
        break;
      case 'import':
        nodeArgs.push('--import', option.value);
        break;
    }
  }
  const [script, ...scriptArgs] = parsed.positionals;
  if (script === undefined) return { kind: 'error', message: 'no script to examine' };
  return { kind: 'run', options: { script, scriptArgs, json, preload, timeoutMs, nodeArgs } };
}
