/**
 * Load with the collector down, then up: 2,000 requests against an
 * instrumented service with a small span queue, so that drops really happen,
 * and every span accounted for: exported + dropped = created, with exactly
 * the exported spans at the collector, none twice. (That memory stays flat
 * while the collector is away is collector-faults.test.ts's.)
 */
import * as path from 'node:path';
import { startBadCollector } from '../support/bad-collector';
import type { BadCollector } from '../support/bad-collector';
import { sendRequests } from '../support/request-load';
import { startService } from '../support/services';
import type { Service } from '../support/services';
import { parseSpanCounts } from '../support/span-counts';

const APP = path.join(__dirname, '..', 'fixtures', 'fault-app.js');
const MAX_QUEUE_SIZE = 200;
const DOWN_REQUESTS = 1200;
const UP_REQUESTS = 800;
// Eight in flight keeps both cores busy without starving the exporter.
const CONCURRENCY = 8;
let collector: BadCollector;
let app: Service;

afterAll(async () => {
  await app?.stop();
  await collector?.close();
});

test('2,000 requests with the collector down, then up: every span is exported or counted as dropped', async () => {
  collector = await startBadCollector({ kind: 'down' });
  app = await startService('load-app', APP, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl,
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BSP_MAX_QUEUE_SIZE: String(MAX_QUEUE_SIZE),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100',
    FIXTURE_QUIET: '1',
  });

  const down = await sendRequests(app.url, { count: DOWN_REQUESTS, concurrency: CONCURRENCY, path: i => `/down-${i}` });
  await collector.setMode({ kind: 'healthy' });
  const up = await sendRequests(app.url, { count: UP_REQUESTS, concurrency: CONCURRENCY, path: i => `/up-${i}` });

  for (const run of [down, up]) expect(run.failures).toEqual([]);
  expect(app.lines.filter(line => line.level === 50)).toEqual([]);

  expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  const counts = parseSpanCounts(await app.waitForStderr(/span counts/));
  expect(counts.created).toBe(DOWN_REQUESTS + UP_REQUESTS);
  expect(counts.exported + counts.dropped).toBe(counts.created);
  expect(counts.unsent).toBe(0);
  expect(counts.queueFull).toBeGreaterThan(0);
  expect(counts.peakQueued).toBe(MAX_QUEUE_SIZE);

  expect(collector.spans).toHaveLength(counts.exported);
  expect(new Set(collector.spans.map(span => span.spanId)).size).toBe(counts.exported);
  const upPaths = collector.spans.map(span => span.attributes['url.path']).filter(p => typeof p === 'string' && p.startsWith('/up-'));
  expect(upPaths.length).toBeGreaterThan(0);
});
