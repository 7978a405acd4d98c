/**
 * Drives an app with a fixed number of requests at a fixed concurrency and
 * records each one's latency, so a test can compare the request path while
 * the collector misbehaves with a healthy baseline taken in the same test.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  /** Milliseconds from sending each request to its last byte, in completion order. */
  readonly latencies: number[];
  /** Status of every answered request. */
  readonly statuses: number[];
  /** Requests that got no answer (error or timeout), with why. */
  readonly failures: string[];
}

export interface LoadOptions {
  readonly count: number;
  readonly concurrency: number;
  /** Path of request i; default `/load-<i>`. */
  readonly path?: (i: number) => string;
  /** Per-request limit; a request still unanswered then counts as a failure. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** Sends `count` GET requests to `baseUrl`, `concurrency` at a time, over kept-alive connections. */
export async function sendRequests(baseUrl: string, options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const result: LoadResult = { latencies: [], statuses: [], failures: [] };
  const pathOf = options.path ?? (i => `/load-${i}`);
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const i = next++;
      const started = performance.now();
      try {
        result.statuses.push(await get(`${baseUrl}${pathOf(i)}`, agent, options.timeoutMs ?? 5000));
        result.latencies.push(performance.now() - started);
      } catch (error) {
        result.failures.push(`${pathOf(i)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return result;
}

function get(url: string, agent: http.Agent, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: timeoutMs }, response => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** The value at quantile `q` (0 to 1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
