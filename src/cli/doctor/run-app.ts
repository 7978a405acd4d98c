/**
 * Runs the app under the tracehop preload with the doctor's pipe open on
 * file descriptor 3, collects what it reports, and stops it once it listens,
 * once the time limit passes, or when it exits by itself. A stop is SIGTERM,
 * then SIGKILL if the app is still there after a grace period: the app is
 * never left running and never killed without a chance to shut down.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { doctorChildEnvironment } from '../../config';
import type { DoctorMessage, SentrySeen, ServerSeen } from '../../introspection/doctor-channel';
import type { ModuleLoad } from '../../introspection/hook-observer';
import type { StartupFacts } from '../../introspection/startup-facts';

/** The app's file descriptor for the doctor's pipe: the first after stdin, stdout and stderr. */
const CHANNEL_FD = 3;
/**
 * How long the preload may take to report that tracehop started. Generous:
 * starting the SDK costs about a second on an idle 2-core machine, and many
 * times that on a busy one. The app's own time to listen is counted after it.
 */
export const STARTUP_TIMEOUT_MS = 30_000;
/** How long a stopped app gets to exit after SIGTERM (tracehop's own flush is bounded by 5 s). */
export const KILL_TIMEOUT_MS = 7_000;
/**
 * How long after the app exits its pipes may stay open: a process it started
 * can hold them (an inherited stdout), and must not keep the doctor waiting.
 */
const DRAIN_TIMEOUT_MS = 1_000;
/** The app's stderr lines kept for the report when something went wrong. */
const STDERR_TAIL_LINES = 20;

export interface RunOptions {
  readonly script: string;
  readonly scriptArgs: readonly string[];
  readonly preload: 'require' | 'import';
  readonly nodeArgs: readonly string[];
  /** How long the app may take to listen once tracehop has started in it. */
  readonly timeoutMs: number;
  /** The preload file, register.js of this package. */
  readonly register: string;
}

export interface AppRun {
  /** The node command line, for the report. */
  readonly command: readonly string[];
  readonly started?: StartupFacts;
  readonly loads: readonly ModuleLoad[];
  readonly listening?: {
    readonly address: string;
    readonly entryLoadedAs: 'commonjs' | 'esm';
    readonly afterMs: number;
    readonly server?: ServerSeen;
    readonly sentry?: SentrySeen;
  };
  /** Why the doctor stopped watching. */
  readonly outcome: 'listening' | 'exited' | 'timeout' | 'spawn-failed';
  /** How the process ended: by itself (`outcome` exited) or after the doctor stopped it. */
  readonly exit: { readonly code: number | null; readonly signal: string | null };
  /** Whether the doctor had to use SIGKILL. */
  readonly killed: boolean;
  readonly stderrTail: readonly string[];
  readonly error?: string;
}

/** The Node arguments: the app's own preloads, then tracehop, then the script. */
export function nodeCommand(options: RunOptions): string[] {
  const preload = options.preload === 'import' ? ['--import', pathToFileURL(options.register).href] : ['--require', options.register];
  return [...options.nodeArgs, ...preload, path.resolve(options.script), ...options.scriptArgs];
}

export function runApp(options: RunOptions): Promise<AppRun> {
  const command = nodeCommand(options);
  const startedAt = Date.now();
  const child = spawn(process.execPath, command, {
    env: doctorChildEnvironment(CHANNEL_FD),
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let started: StartupFacts | undefined;
  const loads: ModuleLoad[] = [];
  let listening: AppRun['listening'];
  let outcome: AppRun['outcome'] | undefined;
  let killed = false;
  let spawnError: string | undefined;
  const stderrTail: string[] = [];

  return new Promise(resolve => {
    const stop = (why: 'listening' | 'timeout') => {
      if (outcome !== undefined) return;
      outcome = why;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, KILL_TIMEOUT_MS);
      child.once('exit', () => clearTimeout(killTimer));
    };
    let timer = setTimeout(() => stop('timeout'), STARTUP_TIMEOUT_MS);

    child.stdout?.resume();
    if (child.stderr) keepTail(child.stderr, stderrTail);
    const channel = child.stdio[CHANNEL_FD] as Readable | null;
    const channelClosed = new Promise<void>(done => {
      if (!channel) return done();
      channel.on('error', () => done());
      readline
        .createInterface({ input: channel })
        .on('line', line => {
          const message = parseMessage(line);
          if (message?.type === 'started') {
            started = message.facts;
            clearTimeout(timer);
            if (outcome === undefined) timer = setTimeout(() => stop('timeout'), options.timeoutMs);
          } else if (message?.type === 'load') {
            loads.push(message.load);
          } else if (message?.type === 'listening' && listening === undefined) {
            listening = {
              address: message.address,
              entryLoadedAs: message.entryLoadedAs,
              afterMs: Date.now() - startedAt,
              server: message.server,
              sentry: message.sentry,
            };
            stop('listening');
          }
        })
        .on('close', () => done());
    });

    child.once('exit', () => {
      setTimeout(() => {
        for (const stream of child.stdio) stream?.destroy();
      }, DRAIN_TIMEOUT_MS).unref();
    });
    child.once('error', error => {
      spawnError = error.message;
      outcome ??= 'spawn-failed';
    });
    // 'close' comes after every pipe of the child is drained, so nothing it wrote is lost.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      outcome ??= 'exited';
      void channelClosed.then(() =>
        resolve({
          command,
          started,
          loads,
          listening,
          outcome: outcome ?? 'exited',
          exit: { code, signal },
          killed,
          stderrTail,
          ...(spawnError === undefined ? {} : { error: spawnError }),
        }),
      );
    });
  });
}

function parseMessage(line: string): DoctorMessage | undefined {
  try {
    const message = JSON.parse(line) as DoctorMessage | null;
    return message && typeof message === 'object' && typeof message.type === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function keepTail(stream: Readable, tail: string[]): void {
  readline.createInterface({ input: stream }).on('line', line => {
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
  });
}
