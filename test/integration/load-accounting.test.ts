/**
 * Load with the collector down (until the queue overflows), then up, against an
 * instrumented service with a small span queue, so that drops really happen,
 * and every span accounted for: exported + dropped = created, with exactly
 * the exported spans at the collector, none twice. And with a collector
 * that hangs, the heap stays flat: the queue holds at most
 * OTEL_BSP_MAX_QUEUE_SIZE spans.
 */
import * as path from 'node:path';
import { startBadCollector } from '../support/bad-collector';
import type { BadCollector } from '../support/bad-collector';
import { sendRequests } from '../support/request-load';
import { REGISTER, startService } from '../support/services';
import type { Service } from '../support/services';
import { parseSpanCounts } from '../support/span-counts';

const APP = path.join(__dirname, '..', 'fixtures', 'fault-app.js');
const MAX_QUEUE_SIZE = 200;
const DOWN_REQUESTS = 1200;
// Rounds of DOWN_REQUESTS until the queue has overflowed; a fast exporter on an idle machine may need more than one.
const MAX_DOWN_ROUNDS = 5;
const UP_REQUESTS = 800;
// Eight in flight keeps both cores busy without starving the exporter.
const CONCURRENCY = 8;
const running: Service[] = [];
const collectors: BadCollector[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map(service => service.stop()));
  await Promise.all(collectors.splice(0).map(collector => collector.close()));
});

test('requests with the collector down until the queue overflows, then 800 with it up: every span is exported or counted as dropped', async () => {
  const collector = await startBadCollector({ kind: 'down' });
  collectors.push(collector);
  const app = await startService('load-app', APP, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl,
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BSP_MAX_QUEUE_SIZE: String(MAX_QUEUE_SIZE),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100',
    FIXTURE_QUIET: '1',
  });
  running.push(app);

  // Load until tracehop reports the queue full (its diag line), so drops really happen whatever the machine's speed.
  const downRuns = [];
  let downRequests = 0;
  for (let round = 0; round < MAX_DOWN_ROUNDS && !/span queue full/.test(app.stderr); round++) {
    const first = downRequests;
    downRuns.push(await sendRequests(app.url, { count: DOWN_REQUESTS, concurrency: CONCURRENCY, path: i => `/down-${first + i}` }));
    downRequests += DOWN_REQUESTS;
  }
  await collector.setMode({ kind: 'healthy' });
  // Export has resumed before the next load starts: the queue is draining,
  // so some of the spans made while the collector is up find room.
  await collector.waitFor('an export after the collector came back', c => c.spans.length > 0);
  const up = await sendRequests(app.url, { count: UP_REQUESTS, concurrency: CONCURRENCY, path: i => `/up-${i}` });

  for (const run of [...downRuns, up]) expect(run.failures).toEqual([]);
  expect(app.lines.filter(line => line.level === 50)).toEqual([]);

  expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  const counts = parseSpanCounts(await app.waitForStderr(/span counts/));
  expect(counts.created).toBe(downRequests + UP_REQUESTS);
  expect(counts.exported + counts.dropped).toBe(counts.created);
  expect(counts.unsent).toBe(0);
  expect(counts.queueFull).toBeGreaterThan(0);
  expect(counts.peakQueued).toBe(MAX_QUEUE_SIZE);

  expect(collector.spans).toHaveLength(counts.exported);
  expect(new Set(collector.spans.map(span => span.spanId)).size).toBe(counts.exported);
  const upPaths = collector.spans.map(span => span.attributes['url.path']).filter(p => typeof p === 'string' && p.startsWith('/up-'));
  expect(upPaths.length).toBeGreaterThan(0);
});

test('while the collector hangs, 3,000 requests leave the heap flat: the queue holds at most OTEL_BSP_MAX_QUEUE_SIZE spans', async () => {
  // One export at a time, each held for the whole 30 s timeout: without the
  // queue limit every span would stay in memory (about 1.5 KB each, so some
  // 4.5 MB for these 3,000); with it the heap after a full GC stays put.
  const collector = await startBadCollector({ kind: 'hang' });
  collectors.push(collector);
  const app = await startService(
    'load-app',
    APP,
    {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl,
      OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      // Well inside the test helper's 5 s before it kills a child that ignores SIGTERM.
      TRACEHOP_SHUTDOWN_TIMEOUT_MS: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_MAX_QUEUE_SIZE: String(MAX_QUEUE_SIZE),
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100',
      // The memory probe is left untraced, so that it does not count as load.
      TRACEHOP_IGNORE_PATHS: '/memory',
      FIXTURE_QUIET: '1',
    },
    { nodeArgs: ['--expose-gc', '-r', REGISTER] },
  );
  running.push(app);
  const heapUsed = async () => ((await (await fetch(`${app.url}/memory`)).json()) as { heapUsed: number }).heapUsed;
  const load = (prefix: string, count: number) => sendRequests(app.url, { count, concurrency: CONCURRENCY, path: i => `/${prefix}-${i}` });

  // The queue is full after the first few hundred requests; from then on only the drops grow.
  await load('fill', 300);
  const heapWhenFull = await heapUsed();
  const more = await load('beyond', 3000);
  const heapAfter = await heapUsed();

  expect(more.failures).toEqual([]);
  expect(heapAfter - heapWhenFull).toBeLessThan(2 * 1024 * 1024);
  await app.stop();
  const counts = parseSpanCounts(await app.waitForStderr(/span counts/));
  expect(counts.peakQueued).toBe(MAX_QUEUE_SIZE);
  expect(counts.queueFull).toBeGreaterThan(2500);
});
