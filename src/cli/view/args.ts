/**
 * `tracehop view`'s command line. Pure: arguments in, options or an error
 * message out.
 */
import { flag, list, nonEmpty, parseCommandLine, value, wholeNumber } from '../command-line';
import type { ParsedArgs } from '../command-line';
import { DEFAULT_MAX_LOGS, DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES, DEFAULT_QUIET_MS, DEFAULT_VIEW_HOST, DEFAULT_VIEW_PORT } from './viewer';

export const USAGE = `usage: tracehop view [options]

Receives OTLP/HTTP traces (protobuf or JSON, POST /v1/traces) and prints each
trace once no span or log line of it has arrived for the quiet interval: a tree
of spans with a waterfall bar, and the pino lines of each span beneath it. Logs
are read from stdin when it is not a terminal, and from --logs files, followed
as they grow. A line that comes after its trace was printed is printed by
itself, marked late.

options:
  --port <n>          port to listen on (default ${DEFAULT_VIEW_PORT}, where exporters send
                      by default); 0 picks a free one
  --host <address>    address to listen on (default ${DEFAULT_VIEW_HOST})
  --quiet-ms <ms>     how long a trace must be quiet to count as complete
                      (default ${DEFAULT_QUIET_MS})
  --logs <file>...    pino log files to follow (every argument up to the next option)
  --json              one JSON document per trace per line
  --max-spans <n>     pending spans kept before the oldest trace is evicted (default ${DEFAULT_MAX_SPANS})
  --max-traces <n>    pending traces kept (default ${DEFAULT_MAX_TRACES})
  --max-logs <n>      log records kept waiting for their span (default ${DEFAULT_MAX_LOGS})
  -h, --help          this text

Colour only on a terminal; NO_COLOR turns it off.`;

export interface ViewOptions {
  readonly port: number;
  readonly host: string;
  readonly quietMs: number;
  readonly logFiles: readonly string[];
  readonly json: boolean;
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly maxLogs: number;
}

export type ParsedViewArgs = ParsedArgs<ViewOptions>;

const VIEW_COMMAND_LINE = {
  options: {
    port: value(wholeNumber(0, 65535)),
    host: value(nonEmpty('an address')),
    'quiet-ms': value(wholeNumber(1, 3_600_000)),
    logs: list('file'),
    json: flag(),
    'max-spans': value(wholeNumber(1, 100_000_000)),
    'max-traces': value(wholeNumber(1, 10_000_000)),
    'max-logs': value(wholeNumber(0, 100_000_000)),
  },
  positionals: 'none',
} as const;

export function parseViewArgs(argv: readonly string[]): ParsedViewArgs {
  const parsed = parseCommandLine(argv, VIEW_COMMAND_LINE);
  if (parsed.kind !== 'run') return parsed;
  const options = {
    port: DEFAULT_VIEW_PORT,
    host: DEFAULT_VIEW_HOST,
    quietMs: DEFAULT_QUIET_MS,
    logFiles: [] as string[],
    json: false,
    maxSpans: DEFAULT_MAX_SPANS,
    maxTraces: DEFAULT_MAX_TRACES,
    maxLogs: DEFAULT_MAX_LOGS,
  };
  for (const option of parsed.options) {
    switch (option.name) {
      case 'port':
        options.port = option.value;
        break;
      case 'host':
        options.host = option.value;
        break;
      case 'quiet-ms':
        options.quietMs = option.value;
        break;
      case 'logs':
        options.logFiles.push(...option.value);
        break;
      case 'json':
        options.json = true;
        break;
      case 'max-spans':
        options.maxSpans = option.value;
        break;
      case 'max-traces':
        options.maxTraces = option.value;
        break;
      case 'max-logs':
        options.maxLogs = option.value;
        break;
    }
  }
  return { kind: 'run', options };
}
