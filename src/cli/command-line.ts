/**
 * The command lines of `tracehop doctor`, `view` and `tree`, read one way.
 * Node's `util.parseArgs` splits the arguments (`--name=value`, `--name
 * value`, `-r value`, `--` ending the options); this module adds what it
 * cannot say: options kept in the order given (the doctor's `-r` and
 * `--import` reach Node in that order), an option that takes every argument
 * after it (`--logs a.log b.log`), the first argument that is not an option
 * ending the options (the doctor's script, whose own options are the app's),
 * a check of each value, and one wording for every error. Pure: arguments
 * in, options or an error message out.
 */
import { parseArgs } from 'node:util';

/** An option's value read from its text, or what is wrong with it; `name` is the option as the user typed it (`-r`, `--require`). */
export type ReadValue<T> = (text: string | undefined, name: string) => T | UsageError;

export class UsageError {
  constructor(readonly message: string) {}
}

export interface OptionSpec<T> {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** Takes every argument after it up to the next option: `--logs a.log b.log`. */
  readonly list?: boolean;
  readonly read: (given: Given) => T | UsageError;
}

interface Given {
  readonly name: string;
  readonly text: string | undefined;
  readonly list: readonly string[];
}

export type OptionSpecs = Readonly<Record<string, OptionSpec<unknown>>>;

/** One option as given, with its value read: a union over the spec's names, so a `switch` on `name` types `value`. */
export type GivenOption<S extends OptionSpecs> = {
  [K in keyof S & string]: { readonly name: K; readonly value: S[K] extends OptionSpec<infer T> ? T : never };
}[keyof S & string];

export interface CommandSpec<S extends OptionSpecs> {
  readonly options: S;
  /**
   * What arguments that are not options are: `'app'`, the first one ends the
   * options and it and everything after it are the app's (the doctor's
   * script); `'operands'`, kept wherever they stand (tree's files); `'none'`,
   * an error.
   */
  readonly positionals: 'app' | 'operands' | 'none';
}

export type ParsedCommandLine<S extends OptionSpecs> =
  | { readonly kind: 'run'; readonly options: ReadonlyArray<GivenOption<S>>; readonly positionals: readonly string[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** A command's reading of its arguments: its options, a request for help, or what is wrong. */
export type ParsedArgs<Options> =
  { readonly kind: 'run'; readonly options: Options } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

/**
 * What every command does with help and with an error: the usage on stdout,
 * exit status 0; or the error and the usage on stderr, exit status 2 (a usage error).
 */
export function answerHelpOrError(
  parsed: Exclude<ParsedArgs<unknown>, { kind: 'run' }>,
  command: string,
  usage: string,
  out: { readonly stdout: (text: string) => void; readonly stderr: (text: string) => void },
): number {
  if (parsed.kind === 'help') {
    out.stdout(`${usage}\n`);
    return 0;
  }
  out.stderr(`tracehop ${command}: ${parsed.message}\n\n${usage}\n`);
  return 2;
}

/** `-h` and `--help`, which every command takes. */
const HELP = 'help';

/**
 * Reads `argv` against `spec`. The first error, or a help option, in the
 * order given decides: `--timeout=0 --help` is an error, `--help --timeout=0` help.
 */
export function parseCommandLine<S extends OptionSpecs>(argv: readonly string[], spec: CommandSpec<S>): ParsedCommandLine<S> {
  const config: Record<string, { type: 'boolean' | 'string'; short?: string }> = { [HELP]: { type: 'boolean', short: 'h' } };
  // A list option is a flag to parseArgs, so that the arguments after it stay positionals, claimed below.
  for (const [name, option] of Object.entries(spec.options)) {
    config[name] = { type: option.list ? 'boolean' : option.type };
    // parseArgs refuses a `short` that is present but undefined.
    if (option.short !== undefined) config[name].short = option.short;
  }
  // Not strict: an unknown option or a missing value is reported here, in tracehop's words, instead of thrown.
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });

  const options: Array<GivenOption<S>> = [];
  const positionals: string[] = [];
  let listing: { key: string; given: { name: string; text: string | undefined; list: string[] } } | undefined;
  const closeList = (): UsageError | undefined => {
    if (listing === undefined) return undefined;
    const read = add(listing.key, listing.given);
    listing = undefined;
    return read;
  };
  const add = (key: string, given: Given): UsageError | undefined => {
    const value = spec.options[key].read(given);
    if (value instanceof UsageError) return value;
    options.push({ name: key, value } as GivenOption<S>);
    return undefined;
  };

  for (const token of tokens) {
    if (token.kind === 'positional' && listing !== undefined) {
      listing.given.list.push(token.value);
      continue;
    }
    const closed = closeList();
    if (closed !== undefined) return usage(closed);
    if (token.kind === 'option-terminator') {
      if (spec.positionals === 'app') return run(argv.slice(token.index + 1));
      continue;
    }
    if (token.kind === 'positional') {
      if (spec.positionals === 'app') return run(argv.slice(token.index));
      if (spec.positionals === 'none') return usage(`unknown argument ${token.value}`);
      positionals.push(token.value);
      continue;
    }
    if (token.name === HELP) return { kind: 'help' };
    const option = Object.hasOwn(spec.options, token.name) ? spec.options[token.name] : undefined;
    // The whole argument, as typed: `--verbose=1`, or `-xy` for an unknown short option in a group.
    if (option === undefined) return usage(`unknown option ${argv[token.index]}`);
    const given = { name: token.rawName, text: token.value, list: token.value === undefined ? [] : [token.value] };
    if (option.list) {
      listing = { key: token.name, given };
      continue;
    }
    const read = add(token.name, given);
    if (read !== undefined) return usage(read);
  }
  const closed = closeList();
  if (closed !== undefined) return usage(closed);
  return run(positionals);

  function run(rest: readonly string[]): ParsedCommandLine<S> {
    return { kind: 'run', options, positionals: rest };
  }
  function usage(error: UsageError | string): ParsedCommandLine<S> {
    return { kind: 'error', message: typeof error === 'string' ? error : error.message };
  }
}

/** A flag: true when given. */
export function flag(): OptionSpec<true> {
  return { type: 'boolean', read: () => true };
}

/** A string option whose value `read` checks. */
export function value<T>(read: ReadValue<T>, short?: string): OptionSpec<T> {
  return { type: 'string', short, read: given => read(given.text, given.name) };
}

/** An option taking every argument after it, up to the next option; at least one. */
export function list(what: string): OptionSpec<readonly string[]> {
  return { type: 'string', list: true, read: given => (given.list.length > 0 ? given.list : new UsageError(`${given.name} needs at least one ${what}`)) };
}

/** Any text but the empty string: `-r needs a module`. */
export function nonEmpty(what: string): ReadValue<string> {
  return (text, name) => (text === undefined || text === '' ? new UsageError(`${name} needs ${what}`) : text);
}

/** One of a few words. */
export function oneOf<const W extends string>(words: readonly W[]): ReadValue<W> {
  const choices = words.length === 2 ? `${words[0]} or ${words[1]}` : words.join(', ');
  return (text, name) => ((words as readonly string[]).includes(text ?? '') ? (text as W) : new UsageError(`${name} takes ${choices}, not ${show(text)}`));
}

/** A whole number from `min` to `max`, written in decimal; with no `max`, the message names the `unit` instead of a range. */
export function wholeNumber(min: number, max: number, unit?: string): ReadValue<number> {
  return (text, name) => {
    const n = Number(text);
    if (text !== undefined && text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
    const range = unit === undefined ? `from ${min} to ${max}` : `of ${unit}`;
    return new UsageError(`${name} takes a whole number ${range}, not ${show(text)}`);
  };
}

function show(text: string | undefined): string {
  return text === undefined ? 'nothing' : JSON.stringify(text);
}
