/**
 * `tracehop doctor <script>`: run the app under the preload, watch what gets
 * hooked, probe the OTLP endpoint, and say what works and what does not.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { exporterHeadersFromEnvironment } from '../../config';
import { USAGE, parseDoctorArgs } from './args';
import { answerHelpOrError } from '../command-line';
import { diagnose } from './diagnose';
import { formatReport } from './format-text';
import { probeEndpoint } from './probe-endpoint';
import { runApp } from './run-app';

export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Bundles larger than this are not searched for a bundled pino. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** Runs the doctor; resolves with the exit status. */
export async function runDoctor(argv: readonly string[], output: Output): Promise<number> {
  const parsed = parseDoctorArgs(argv);
  if (parsed.kind !== 'run') return answerHelpOrError(parsed, 'doctor', USAGE, output);
  const { options } = parsed;
  if (!existsSync(options.script)) {
    output.stderr(`tracehop doctor: no such file: ${options.script}\n`);
    return 2;
  }
  const run = await runApp({ ...options, register: registerFile() });
  const config = run.started?.config;
  const probe =
    config !== undefined && !config.disabled && config.tracesExporters.includes('otlp')
      ? // The app was given this process's environment: the same headers, read here rather than sent by the app.
        await probeEndpoint(config.tracesEndpoint, config.protocol, exporterHeadersFromEnvironment())
      : undefined;
  const report = diagnose({
    script: options.script,
    preload: options.preload,
    timeoutMs: options.timeoutMs,
    run,
    probe,
    entrySource: readEntry(run.started?.entry.path ?? options.script),
  });
  output.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.exitCode;
}

/** This package's preload: register.js at the package root. */
export function registerFile(): string {
  return path.join(packageRoot(), 'register.js');
}

/** The directory of tracehop's package.json, found from wherever this file was compiled to. */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === 'tracehop') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`tracehop's package.json was not found above ${from}`);
    dir = parent;
  }
}

function readName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

function readEntry(file: string): string | undefined {
  try {
    if (statSync(file).size > MAX_ENTRY_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
