/**
 * `tracehop view`'s command line. Pure: arguments in, options or an error
 * message out.
 */
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

export type ParsedViewArgs =
  | { readonly kind: 'run'; readonly options: ViewOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

export function parseViewArgs(argv: readonly string[]): ParsedViewArgs {
  const options = {
    port: DEFAULT_VIEW_PORT, host: DEFAULT_VIEW_HOST, quietMs: DEFAULT_QUIET_MS, logFiles: [] as string[], json: false,
    maxSpans: DEFAULT_MAX_SPANS, maxTraces: DEFAULT_MAX_TRACES, maxLogs: DEFAULT_MAX_LOGS,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const at = arg.indexOf('=');
    const name = arg.startsWith('--') && at > 0 ? arg.slice(0, at) : arg;
    const inline = arg.startsWith('--') && at > 0 ? arg.slice(at + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    const whole = (min: number, max: number): number | string => {
      const text = value();
      const n = Number(text);
      return text !== undefined && text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max
        ? n
        : `${name} takes a whole number from ${min} to ${max}, not ${JSON.stringify(text ?? '')}`;
    };
    let result: number | string | undefined;
    switch (name) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--json':
        options.json = true;
        continue;
      case '--host': {
        const host = value();
        if (!host) return { kind: 'error', message: '--host needs an address' };
        options.host = host;
        continue;
      }
      case '--logs': {
        if (inline !== undefined) options.logFiles.push(inline);
        while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) options.logFiles.push(argv[++i]);
        if (options.logFiles.length === 0) return { kind: 'error', message: '--logs needs at least one file' };
        continue;
      }
      case '--port': result = options.port = whole(0, 65535) as number; break;
      case '--quiet-ms': result = options.quietMs = whole(1, 3_600_000) as number; break;
      case '--max-spans': result = options.maxSpans = whole(1, 100_000_000) as number; break;
      case '--max-traces': result = options.maxTraces = whole(1, 10_000_000) as number; break;
      case '--max-logs': result = options.maxLogs = whole(0, 100_000_000) as number; break;
      default:
        return { kind: 'error', message: `unknown argument ${arg}` };
    }
    if (typeof result === 'string') return { kind: 'error', message: result };
  }
  return { kind: 'run', options };
}
