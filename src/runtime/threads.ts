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
