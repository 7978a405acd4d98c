/**
 * `tracehop tree`'s command line. Pure: arguments in, options or an error
 * message out.
 */

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

export type ParsedTreeArgs =
  | { readonly kind: 'run'; readonly options: TreeOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

export function parseTreeArgs(argv: readonly string[]): ParsedTreeArgs {
  const files: string[] = [];
  let request: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    const at = arg.indexOf('=');
    const name = arg.startsWith('--') && at > 0 ? arg.slice(0, at) : arg;
    const inline = arg.startsWith('--') && at > 0 ? arg.slice(at + 1) : undefined;
    switch (name) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--json':
        json = true;
        break;
      case '--request': {
        const value = inline ?? argv[++i];
        if (value === undefined || value === '') return { kind: 'error', message: '--request needs a request id' };
        request = value;
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') return { kind: 'error', message: `unknown option ${arg}` };
        files.push(arg);
    }
  }
  return { kind: 'run', options: { files, request, json } };
}
