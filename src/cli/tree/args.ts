/**
 * `tracehop tree`'s command line. Pure: arguments in, options or an error
 * message out.
 */
import { flag, nonEmpty, parseCommandLine, value } from '../command-line';
import type { ParsedArgs } from '../command-line';

export const USAGE = `usage: tracehop tree [options] [FILE...]

Reads pino JSON lines (from the files, or stdin when none is named) and prints
each request's tree of hops, built from request_chain alone, as soon as the
request's last line has been read. The input is read twice; stdin and pipes go
through a temporary file, removed afterwards.

options:
  --request <id>   only this request
  --json           one JSON document per request per line
  -h, --help       this text

Renamed log fields (TRACEHOP_LOG_FIELDS) are honoured.`;

export interface TreeOptions {
  readonly files: readonly string[];
  readonly request: string | undefined;
  readonly json: boolean;
}

export type ParsedTreeArgs = ParsedArgs<TreeOptions>;

const TREE_COMMAND_LINE = {
  options: {
    request: value(nonEmpty('a request id')),
    json: flag(),
  },
  // Files wherever they stand among the options; `-` is stdin.
  positionals: 'operands',
} as const;

export function parseTreeArgs(argv: readonly string[]): ParsedTreeArgs {
  const parsed = parseCommandLine(argv, TREE_COMMAND_LINE);
  if (parsed.kind !== 'run') return parsed;
  let request: string | undefined;
  let json = false;
  for (const option of parsed.options) {
    if (option.name === 'request') request = option.value;
    else json = true;
  }
  return { kind: 'run', options: { files: parsed.positionals, request, json } };
}
