/**
 * Worker threads. Node passes `-r` and `--import` on to every worker thread,
 * so the preload runs in each of them:
 *
 * - in a thread-stream worker (every pino transport: `transport: {target}`,
 *   `pino.transport()`, pino-pretty) tracehop does not start: such a thread
 *   only moves log lines, and an SDK there would trace each shipment of logs
 *   and send it our headers under a service name of its own;
 * - in the app's own worker threads it starts, with the service name the
 *   main thread resolved (handed over with `setEnvironmentData`), unless the
 *   worker's own environment names one: a worker thread is part of the
 *   app's service, whatever file it runs.
 */
import { getEnvironmentData, isMainThread, setEnvironmentData, workerData } from 'node:worker_threads';

const SERVICE_NAME_KEY = 'tracehop.service.name';
const WARNINGS_KEY = 'tracehop.config.warnings';

/** True in a worker started by thread-stream, which runs pino's transports. */
export function isLogTransportWorker(): boolean {
  if (isMainThread) return false;
  return isThreadStreamWorkerData(workerData);
}

/** thread-stream's workerData, in every version since pino 7: the target file and the two shared buffers it reads lines from. */
export function isThreadStreamWorkerData(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const { filename, dataBuf, stateBuf } = data as { filename?: unknown; dataBuf?: unknown; stateBuf?: unknown };
  return typeof filename === 'string' && dataBuf instanceof SharedArrayBuffer && stateBuf instanceof SharedArrayBuffer;
}

/** The service name the main thread resolved, in a worker thread; undefined in the main thread or when none was handed over. */
export function inheritedServiceName(): string | undefined {
  if (isMainThread) return undefined;
  const name = getEnvironmentData(SERVICE_NAME_KEY);
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Hands the service name to every worker thread started from now on (and to theirs). */
export function handServiceNameToWorkers(name: string): void {
  setEnvironmentData(SERVICE_NAME_KEY, name);
}

/**
 * The configuration warnings this thread is to write: those a thread above
 * it has not written already. A worker thread reads the same environment as
 * the thread that started it, so without this each bad value got one line
 * per thread; a worker given an environment of its own (`new Worker(file,
 * { env })`) still says what is wrong with it. What this thread writes is
 * handed on to the worker threads it starts, as the service name is.
 */
export function warningsNotYetWritten(warnings: readonly string[]): string[] {
  const inherited = getEnvironmentData(WARNINGS_KEY);
  const written = Array.isArray(inherited) ? inherited.filter((line): line is string => typeof line === 'string') : [];
  setEnvironmentData(WARNINGS_KEY, [...new Set([...written, ...warnings])]);
  return warnings.filter(warning => !written.includes(warning));
}
