/**
 * `tracehop doctor`'s command line. Pure: arguments in, options or an error
 * message out.
 */

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

export type ParsedArgs =
  | { readonly kind: 'run'; readonly options: DoctorOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

export function parseDoctorArgs(argv: readonly string[]): ParsedArgs {
  let json = false;
  let preload: DoctorOptions['preload'] = 'require';
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const nodeArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = splitOption(arg);
    const value = (): string | undefined => inline ?? argv[++i];
    if (arg === '--') return script(argv.slice(i + 1));
    if (!arg.startsWith('-')) return script(argv.slice(i));
    switch (name) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--json':
        json = true;
        break;
      case '--preload': {
        const mode = value();
        if (mode !== 'require' && mode !== 'import') return error(`--preload takes require or import, not ${show(mode)}`);
        preload = mode;
        break;
      }
      case '--timeout': {
        const text = value();
        const ms = Number(text);
        if (!Number.isInteger(ms) || ms < 1) return error(`--timeout takes a whole number of milliseconds, not ${show(text)}`);
        timeoutMs = ms;
        break;
      }
      case '-r':
      case '--require':
      case '--import': {
        const module = value();
        if (module === undefined || module === '') return error(`${name} needs a module`);
        nodeArgs.push(name === '--import' ? '--import' : '--require', module);
        break;
      }
      default:
        return error(`unknown option ${arg}`);
    }
  }
  return error('no script to examine');

  function script(rest: readonly string[]): ParsedArgs {
    if (rest.length === 0) return error('no script to examine');
    return { kind: 'run', options: { script: rest[0], scriptArgs: rest.slice(1), json, preload, timeoutMs, nodeArgs } };
  }
}

/** `--name=value` gives the value inline; `--name value` takes the next argument. */
function splitOption(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return arg.startsWith('--') && at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}

function show(value: string | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function error(message: string): ParsedArgs {
  return { kind: 'error', message };
}
