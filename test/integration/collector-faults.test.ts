/**
 * A collector that misbehaves never reaches the app. For each fault, against
 * a real local server playing the bad collector: the app answers at its
 * baseline latency and rate (measured in the same test, healthy first), no
 * unhandled rejection or exception appears, the queue stays within
 * OTEL_BSP_MAX_QUEUE_SIZE with every span accounted for (the heap under load
 * is load-accounting.test.ts's), the failure makes one
 * diag line, and export resumes when the collector recovers, without a
 * restart.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBadCollector } from '../support/bad-collector';
import type { BadCollector, CollectorMode } from '../support/bad-collector';
import { quantile, sendRequests } from '../support/request-load';
import type { LoadOptions, LoadResult } from '../support/request-load';
import { startService } from '../support/services';
import type { Service } from '../support/services';
import { parseSpanCounts } from '../support/span-counts';

const APP = path.join(__dirname, '..', 'fixtures', 'fault-app.js');
const MAX_QUEUE_SIZE = 100;
// Short enough that a hung collector is given up on within the test.
const EXPORT_TIMEOUT_MS = 1000;
const running: Service[] = [];
const collectors: BadCollector[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map(service => service.stop()));
  await Promise.all(collectors.splice(0).map(collector => collector.close()));
});

async function setUp(mode: CollectorMode = { kind: 'healthy' }, env: Record<string, string> = {}) {
  const collector = await startBadCollector(mode);
  collectors.push(collector);
  const app = await startService('fault-app', APP, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl,
    OTEL_EXPORTER_OTLP_TIMEOUT: String(EXPORT_TIMEOUT_MS),
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_BSP_MAX_QUEUE_SIZE: String(MAX_QUEUE_SIZE),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
    FIXTURE_QUIET: '1',
    ...env,
  });
  running.push(app);
  return { collector, app };
}

async function timedLoad(url: string, options: LoadOptions): Promise<LoadResult & { durationMs: number }> {
  const started = performance.now();
  const result = await sendRequests(url, options);
  return { ...result, durationMs: performance.now() - started };
}

const pathsAt = (collector: BadCollector, prefix: string) =>
  collector.spans.map(span => span.attributes['url.path']).filter(value => typeof value === 'string' && value.startsWith(prefix));

/**
 * Export resumes without a restart: rounds of `perRound` requests until one
 * round's spans all reach the collector. While the backlog drains the queue
 * may still be full, and spans that meet a full queue are dropped (and
 * counted), so a first round may not arrive. Returns the requests made.
 */
async function requestsUntilExported(collector: BadCollector, send: (round: number) => Promise<unknown>, perRound: number): Promise<number> {
  for (let round = 0; ; round++) {
    await send(round);
    try {
      await collector.waitFor(`round ${round} after the recovery`, c => pathsAt(c, `/recovered-${round}-`).length === perRound, 5000);
      return (round + 1) * perRound;
    } catch (error) {
      if (round === 4) throw error;
    }
  }
}

// Everything tracehop may say while a collector misbehaves; anything else on stderr fails the test.
const EXPECTED_DIAG = [/^tracehop warn: trace export failed: /, /^tracehop warn: span queue full /, /^tracehop (warn|info): span counts /];

const faults: Array<[string, CollectorMode, RegExp]> = [
  ['refuses connections', { kind: 'down' }, /trace export failed: connect ECONNREFUSED/],
  ['accepts the connection and never answers', { kind: 'hang' }, /trace export failed: Request timed out/],
  ['answers 429 with Retry-After', { kind: 'status', status: 429, retryAfter: '1' }, /trace export failed: Export failed with retryable status/],
  ['answers 503 with Retry-After', { kind: 'status', status: 503, retryAfter: '1' }, /trace export failed: Export failed with retryable status/],
  ['answers 400', { kind: 'status', status: 400 }, /trace export failed: Bad Request/],
  ['answers 500', { kind: 'status', status: 500 }, /trace export failed: Internal Server Error/],
  ['resets the connection mid-request', { kind: 'reset' }, /trace export failed: (read ECONNRESET|socket hang up)/],
  // Each byte comes well inside the socket's idle timeout: only a deadline on the whole attempt ends it.
  [
    'answers 200 and drips its body one byte at a time',
    { kind: 'drip', intervalMs: 100 },
    /trace export failed: the export attempt passed OTEL_EXPORTER_OTLP_TIMEOUT \(1000 ms\)/,
  ],
];

test.each(faults)(
  'a collector that %s: the app keeps its baseline latency, one diag line, no leak, export resumes on recovery',
  async (_fault, mode, diagLine) => {
    const { collector, app } = await setUp();
    const load = (prefix: string, count: number) => timedLoad(app.url, { count, concurrency: 4, path: i => `/${prefix}-${i}` });

    await load('warm-up', 100);
    const baseline = await load('baseline', 200);

    await collector.setMode(mode);
    // Traffic until the failure has been met and reported, then the measurement while it lasts.
    await load('provoke', 100);
    await app.waitForStderr(diagLine, 15_000);
    const during = await load('fault', 200);

    for (const run of [baseline, during]) {
      expect(run.failures).toEqual([]);
      expect(run.statuses.every(status => status === 200)).toBe(true);
    }
    // Generous bounds: an export on the request path would cost the export
    // timeout (1 s) per request, orders of magnitude above these.
    expect(quantile(during.latencies, 0.5)).toBeLessThanOrEqual(2 * quantile(baseline.latencies, 0.5) + 5);
    expect(during.durationMs).toBeLessThanOrEqual(2 * baseline.durationMs + 1000);

    const seen = collector.requests.length;
    await collector.setMode({ kind: 'healthy' });
    await collector.waitFor('the first export after the recovery', c => c.requests.slice(seen).some(request => request.spans > 0), 10_000);
    const recovered = await requestsUntilExported(collector, round => load(`recovered-${round}`, 10), 10);

    expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    const stderr = await app.waitForStderr(/span counts/);
    const counts = parseSpanCounts(stderr);
    expect(counts.created).toBe(100 + 200 + 100 + 200 + recovered);
    expect(counts.exported + counts.dropped).toBe(counts.created);
    expect(counts.unsent).toBe(0);
    // Every span counted exported arrived. The converse can fail on a loaded machine: a batch the collector
    // took whose answer came after the export deadline is counted dropped (OTLP is at-least-once at best).
    expect(collector.spans.length).toBeGreaterThanOrEqual(counts.exported);
    expect(counts.peakQueued).toBeLessThanOrEqual(MAX_QUEUE_SIZE);

    const lines = stderr.trim().split('\n');
    expect(lines.filter(line => diagLine.test(line))).toHaveLength(1);
    expect(lines.filter(line => !EXPECTED_DIAG.some(pattern => pattern.test(line)))).toEqual([]);
    expect(app.lines.filter(line => line.level === 50)).toEqual([]);
  },
);

test('a 503 with Retry-After: 2 is retried no sooner than 2 s later, within the export timeout', async () => {
  const { collector, app } = await setUp(
    { kind: 'status', status: 503, retryAfter: '2' },
    { OTEL_EXPORTER_OTLP_TIMEOUT: '3000', OTEL_BSP_SCHEDULE_DELAY: '600000' },
  );
  await sendRequests(app.url, { count: 50, concurrency: 1 });
  // A full batch (50) leaves at once: the first attempt, then one retry
  // 2 s later; a further retry would pass the 3 s deadline, so there is none.
  await collector.waitFor('a retry', c => c.requests.length >= 2);
  await app.waitForStderr(/trace export failed: Export failed with retryable status/, 10_000);
  const [first, retry] = collector.requests;
  expect(retry.at - first.at).toBeGreaterThanOrEqual(1900);
  expect(collector.requests).toHaveLength(2);
});
