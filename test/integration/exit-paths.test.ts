/**
 * Every way out of the process, with a healthy and with a hung collector:
 * process.exit() from the app (in a handler, in its own signal handler, in a
 * script), a crash, SIGTERM and SIGINT, and an event loop that drains. The
 * app's exit code or signal is always its own, and no way out waits longer
 * than TRACEHOP_SHUTDOWN_TIMEOUT_MS for the collector.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBadCollector } from '../support/bad-collector';
import type { BadCollector, CollectorMode } from '../support/bad-collector';
import { sendRequests } from '../support/request-load';
import { startService } from '../support/services';
import type { Service } from '../support/services';
import { parseSpanCounts } from '../support/span-counts';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
// The bound under test, for a hung collector.
const SHUTDOWN_TIMEOUT_MS = 1000;
// Where spans must arrive, the hand-off's child process has to start and post
// first; on a loaded 2-core machine that alone can take over a second, and a
// healthy collector ends the wait as soon as it answers anyway.
const DELIVERY_TIMEOUT_MS = 10_000;
// Far above the bound under test: only tracehop's own limit can end the wait in time.
const EXPORT_TIMEOUT_MS = 30_000;
// Process start-up and scheduling on a busy 2-core machine, on top of the bound.
const MARGIN_MS = 2000;
const running: Service[] = [];
const collectors: BadCollector[] = [];
let target: http.Server;
let targetUrl: string;

beforeAll(async () => {
  target = http.createServer((_req, res) => res.end('pong'));
  await new Promise<void>(resolve => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
afterAll(() => new Promise(resolve => target.close(resolve)));
afterEach(async () => {
  await Promise.all(running.splice(0).map(service => service.stop()));
  await Promise.all(collectors.splice(0).map(collector => collector.close()));
});

async function setUp(script: string, mode: CollectorMode, env: Record<string, string> = {}) {
  const shutdownTimeout = mode.kind === 'hang' ? SHUTDOWN_TIMEOUT_MS : DELIVERY_TIMEOUT_MS;
  const collector = await startBadCollector(mode);
  collectors.push(collector);
  const app = await startService(script, path.join(FIXTURES, script), {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl,
    OTEL_EXPORTER_OTLP_TIMEOUT: String(EXPORT_TIMEOUT_MS),
    // Nothing leaves on its own schedule: only the way out can deliver.
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    TRACEHOP_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeout),
    FIXTURE_TARGET: targetUrl,
    ...env,
  });
  running.push(app);
  return { collector, app };
}

async function exitTime(app: Service, act: () => unknown) {
  const started = performance.now();
  act();
  const exit = await app.exited;
  return { exit, elapsedMs: performance.now() - started };
}

const paths = (collector: BadCollector) => collector.spans.map(span => span.attributes['url.path'] ?? span.attributes['url.full']);

describe('process.exit() from the app', () => {
  test("queued spans are handed to the collector synchronously, and the exit code is the app's", async () => {
    // With nothing lost the span counts are an info line.
    const { collector, app } = await setUp('fault-app.js', { kind: 'healthy' }, { OTEL_LOG_LEVEL: 'info' });
    await sendRequests(app.url, { count: 5, concurrency: 1, path: i => `/before-exit-${i}` });
    const { exit } = await exitTime(app, () => fetch(`${app.url}/exit?code=3`).catch(() => undefined));
    expect(exit).toEqual({ code: 3, signal: null });
    expect(paths(collector)).toEqual(expect.arrayContaining([...[0, 1, 2, 3, 4].map(i => `/before-exit-${i}`), '/exit']));
    // The /exit request's own span never reached its response's close: ended at exit, marked as cut short.
    const exitSpan = collector.spans.find(span => span.attributes['url.path'] === '/exit');
    expect(exitSpan?.attributes['tracehop.span.cut_short']).toBe(true);
    expect(exitSpan?.attributes['http.response.status_code']).toBe(200);
    expect(collector.requests).toHaveLength(1);
    const counts = parseSpanCounts(await app.waitForStderr(/span counts/));
    expect(counts).toMatchObject({ created: 6, exported: 6, dropped: 0, unsent: 0 });
  });

  test('with a hung collector the hand-off waits at most TRACEHOP_SHUTDOWN_TIMEOUT_MS, and the spans are counted as failed', async () => {
    const { collector, app } = await setUp('fault-app.js', { kind: 'hang' });
    await sendRequests(app.url, { count: 5, concurrency: 1 });
    const { exit, elapsedMs } = await exitTime(app, () => fetch(`${app.url}/exit?code=4`).catch(() => undefined));
    expect(exit).toEqual({ code: 4, signal: null });
    expect(elapsedMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
    // At most one attempt; under heavy load the bound can end it before it connects.
    expect(collector.requests.length).toBeLessThanOrEqual(1);
    const counts = parseSpanCounts(await app.waitForStderr(/span counts/));
    // The /exit request's own span, ended at exit, counts too.
    expect(counts).toMatchObject({ created: 6, exported: 0, exportFailed: 6, unsent: 0 });
  });

  test('an app that exits from its own SIGTERM handler in the same tick still delivers its queued spans', async () => {
    const { collector, app } = await setUp('fault-app.js', { kind: 'healthy' }, { FIXTURE_SIGTERM_EXIT_NOW: '6' });
    await sendRequests(app.url, { count: 5, concurrency: 1, path: i => `/before-sigterm-${i}` });
    const { exit } = await exitTime(app, () => app.child.kill('SIGTERM'));
    expect(exit).toEqual({ code: 6, signal: null });
    expect(paths(collector)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4].map(i => `/before-sigterm-${i}`)));
  });

  test('a script that calls process.exit() delivers its spans and keeps its exit code', async () => {
    const { collector, app } = await setUp('exit-script.js', { kind: 'healthy' }, { FIXTURE_END: 'exit', FIXTURE_EXIT_CODE: '5' });
    expect(await app.exited).toEqual({ code: 5, signal: null });
    expect(collector.spans.filter(span => span.kind === 3)).toHaveLength(3);
  });

  test('a script that dies of an uncaught exception still hands off its spans and fails with code 1', async () => {
    const { collector, app } = await setUp('exit-script.js', { kind: 'healthy' }, { FIXTURE_END: 'throw' });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(collector.spans.filter(span => span.kind === 3)).toHaveLength(3);
    expect(app.stderr).toContain('the script crashed');
  });
});

describe('signals and a drained event loop with a hung collector', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s ends the process by that signal within TRACEHOP_SHUTDOWN_TIMEOUT_MS', async signal => {
    const { app } = await setUp('fault-app.js', { kind: 'hang' });
    await sendRequests(app.url, { count: 5, concurrency: 1 });
    const { exit, elapsedMs } = await exitTime(app, () => app.child.kill(signal));
    expect(exit).toEqual({ code: null, signal });
    expect(elapsedMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
    const stderr = await app.waitForStderr(/span counts/);
    expect(stderr).toContain(`flush on ${signal} did not finish within ${SHUTDOWN_TIMEOUT_MS} ms`);
    expect(parseSpanCounts(stderr)).toMatchObject({ created: 5, exported: 0, unsent: 5 });
  });

  test('a script whose event loop drains exits within TRACEHOP_SHUTDOWN_TIMEOUT_MS, not the export timeout, with its exit code', async () => {
    const { app } = await setUp('exit-script.js', { kind: 'hang' }, { FIXTURE_END: 'drain', FIXTURE_EXIT_CODE: '4' });
    // Timed from the script's last line: from there on only the flush can hold it.
    const { exit, elapsedMs } = await exitTime(app, () => undefined);
    expect(exit).toEqual({ code: 4, signal: null });
    expect(elapsedMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
    expect(app.stderr).toContain(`flush at exit did not finish within ${SHUTDOWN_TIMEOUT_MS} ms`);
  });
});
