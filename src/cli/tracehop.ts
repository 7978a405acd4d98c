/**
 * The `tracehop` command. The CLI is the one part of tracehop that writes to
 * stdout: its reports are its output.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot, runDoctor } from './doctor/doctor';
import type { Output } from './doctor/doctor';
import { loadConfig, noColorRequested } from '../config';
import { runView } from './view';
import { runTree } from './tree';

const USAGE = `usage: tracehop <command>

commands:
  doctor <script>   run the app under the preload and report what got hooked,
                    the effective configuration and whether export works
                    (tracehop doctor --help for its options)
  view              a local OTLP/HTTP receiver on 127.0.0.1:4318 that prints each
                    trace as a tree, with its pino lines (tracehop view --help)
  tree [FILE...]    each request's tree of hops, from pino lines alone
                    (tracehop tree --help for its options)
  --version         tracehop's version`;

const processOutput: Output = {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
};

/** Runs one command; resolves with the exit status. */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'doctor':
      return runDoctor(rest, output);
    case 'view':
      return runView(rest, {
        stdout: output.stdout,
        stderr: output.stderr,
        stdin: process.stdin,
        stdoutIsTty: process.stdout.isTTY === true,
        noColor: noColorRequested(),
        logFields: cliConfig(output).logFields,
        stopped: untilSignal(),
      });
    case 'tree':
      return runTree(rest, { output, stdin: process.stdin, logFields: cliConfig(output).logFields });
    case '--version':
    case '-v':
      output.stdout(`${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      output.stdout(`${USAGE}\n`);
      return 0;
    default:
      output.stderr(`tracehop: unknown command ${command}\n\n${USAGE}\n`);
      return 2;
  }
}

/** The bin's entry point: runs `main` on the process's arguments and sets the exit status. */
export function run(): void {
  // `tracehop tree big.log | head`: the reader went away, which is an ending, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  main(process.argv.slice(2)).then(
    code => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tracehop: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process at once, as a user pressing Ctrl-C twice expects. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise(resolve => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

/** The settings the CLI honours (log field names), read through src/config; invalid ones get their line on stderr. */
function cliConfig(output: Output): ReturnType<typeof loadConfig>['config'] {
  // The CLI has no app of its own, so there is no package.json to find a service name in.
  const { config, warnings } = loadConfig(() => undefined);
  for (const warning of warnings) output.stderr(`tracehop: ${warning}\n`);
  return config;
}

function version(): string {
  const manifest = path.join(packageRoot(), 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
