/**
 * Runs `tracehop view --port 0` through the package's bin in a child process,
 * with a kill timeout, and waits for the events it reports on stderr.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

export const BIN = path.join(__dirname, '..', '..', 'bin', 'tracehop.js');
const KILL_AFTER_MS = 60_000;

export interface ViewProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr (as chosen) matches. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGINT (once, however often it is called), then the exit code. */
  stop(): Promise<number | null>;
}

export async function startView(args: string[], env: Record<string, string> = {}): Promise<ViewProcess> {
  const child = spawn(process.execPath, [BIN, 'view', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const closed = new Promise<number | null>(resolve =>
    child.once('close', code => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      text[stream] += chunk;
      for (const waiter of waiters) waiter();
    });
  }
  const waitFor = (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (!pattern.test(text[stream])) return false;
        waiters.delete(waiter);
        clearTimeout(timer);
        resolve(text[stream]);
        return true;
      };
      const waiter = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`view: ${stream} did not match ${pattern} within ${timeoutMs} ms; stdout: ${text.stdout}; stderr: ${text.stderr}`));
      }, timeoutMs);
      if (!check()) waiters.add(waiter);
    });
  const exitedEarly = closed.then(code => {
    throw new Error(`view exited (${code}) before listening; stderr: ${text.stderr}`);
  });
  const listening = await Promise.race([waitFor('stderr', /on (http:\/\/\S+)\/v1\/traces/), exitedEarly]);
  const url = (/on (http:\/\/\S+)\/v1\/traces/.exec(listening) as RegExpExecArray)[1];
  let stopping = false;
  return {
    child,
    url,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    waitFor,
    // Once only: a second SIGINT while the first is handled would end the view by the signal.
    stop: () => {
      if (!stopping) child.kill('SIGINT');
      stopping = true;
      return closed;
    },
  };
}
