import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';

/** Output kept per process: enough for a failure report, bounded for long runs. */
const LOG_LIMIT = 256 * 1024;
const STOP_GRACE_MS = 5_000;

/** Keeps the last LOG_LIMIT characters of a process's stdout and stderr. */
class LogBuffer {
  private text = '';
  private dropped = 0;

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > LOG_LIMIT) {
      const excess = this.text.length - LOG_LIMIT;
      this.dropped += excess;
      this.text = this.text.slice(excess);
    }
  }

  toString(): string {
    return this.dropped > 0 ? `[... ${this.dropped} earlier characters dropped ...]\n${this.text}` : this.text;
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  logs(): string;
  /** Exit status once the process has ended, otherwise undefined. */
  exitInfo(): ExitInfo | undefined;
  /** Resolves when the process has exited, whatever the reason. */
  readonly exited: Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

// Children still running when the test process ends would keep their ports
// and linger after jest; an 'exit' handler can only act synchronously, so it
// sends SIGKILL to whatever is left.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone; nothing to clean up.
      }
    }
  });
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

/** Starts a program with piped output, tracked so it never outlives the tests. */
export function launch(name: string, file: string, args: string[], env: Record<string, string>): ManagedProcess {
  installExitHook();
  const buffer = new LogBuffer();
  const child = spawn(file, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => buffer.append(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => buffer.append(chunk));

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>(resolve => {
    // A binary that cannot be spawned reports 'error' and then 'close';
    // 'close' also waits for the output pipes, so logs() is complete once
    // this resolves.
    child.on('error', err => buffer.append(`\n[${name}: ${err.message}]\n`));
    child.on('close', (code, signal) => {
      running.delete(child);
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const stop = async (): Promise<void> => {
    if (exitInfo) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(resolve => {
      timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
    });
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      buffer.append(`\n[${name} ignored SIGTERM for ${STOP_GRACE_MS} ms; sending SIGKILL]\n`);
      child.kill('SIGKILL');
      await exited;
    }
  };

  return { name, logs: () => buffer.toString(), exitInfo: () => exitInfo, exited, stop };
}

/**
 * Polls `probe` until it returns true. Rejects, after stopping the process,
 * when the process exits first or the deadline passes; the error carries the
 * process's output so a failed start explains itself.
 */
export async function waitUntilReady(proc: ManagedProcess, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const exit = proc.exitInfo();
    if (exit) {
      throw new Error(`${proc.name} exited (${describeExit(exit)}) before ${what}.\n--- ${proc.name} output ---\n${proc.logs()}`);
    }
    try {
      if (await probe()) return;
      lastError = '';
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  await proc.stop();
  const detail = lastError ? ` (last probe error: ${lastError})` : '';
  throw new Error(`${proc.name}: no ${what} within ${timeoutMs} ms${detail}.\n--- ${proc.name} output ---\n${proc.logs()}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}

/**
 * Several distinct free ports. All listeners stay open until every port is
 * known, so the same port is never handed out twice in one call.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map(server => new Promise<void>(resolve => server.close(() => resolve()))));
  }
}
