/**
 * configureRequestIds and TRACEHOP_REQUEST_ID_FORMAT in a real service under
 * `node -r ./register.js`: the app's generator, validator and transformer,
 * functions that throw, and time-ordered UUID v7 ids.
 */
import * as path from 'node:path';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'ids-app.js');
const running: Service[] = [];
afterEach(() => Promise.all(running.splice(0).map(service => service.stop())));

async function start(env: Record<string, string>): Promise<Service> {
  const app = await startService('ids-app', APP, { OTEL_TRACES_EXPORTER: 'none', ...env });
  running.push(app);
  return app;
}

async function ask(app: Service, requestId?: string) {
  const response = await fetch(app.url, { headers: requestId === undefined ? {} : { 'x-request-id': requestId } });
  const body = JSON.parse(await response.text()) as { requestId: string; traceId: string };
  return { header: response.headers.get('x-request-id'), ...body };
}

test("the app's generate makes new ids, and the trace id follows the documented mapping", async () => {
  const app = await start({ FIXTURE_IDS: 'custom' });
  const first = await ask(app);
  const second = await ask(app);
  expect([first.requestId, second.requestId]).toEqual(['gen-1', 'gen-2']);
  expect(first.header).toBe('gen-1');
  expect(first.traceId).toBe(requestIdToTraceId('gen-1'));
}, 30_000);

test("the app's validate narrows what is accepted and its transform rewrites what is", async () => {
  const app = await start({ FIXTURE_IDS: 'custom' });
  const accepted = await ask(app, 'OK-Upstream-7');
  expect(accepted.requestId).toBe('ok-upstream-7');
  expect(accepted.traceId).toBe(requestIdToTraceId('ok-upstream-7'));
  const rejected = await ask(app, 'nginx-abc');
  expect(rejected.requestId).toMatch(/^gen-\d+$/);
  // validate cannot widen the built-in rule: a value with a space is never seen by it.
  const unsafe = await ask(app, 'ok- spaced');
  expect(unsafe.requestId).toMatch(/^gen-\d+$/);
}, 30_000);

test('functions that throw are reported once each through diag and the built-in rules are used', async () => {
  const app = await start({ FIXTURE_IDS: 'throwing' });
  const fresh = await ask(app);
  await ask(app);
  expect(fresh.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const incoming = await ask(app, 'Upstream-ID');
  await ask(app, 'Upstream-ID-2');
  expect(incoming.requestId).toBe('Upstream-ID');
  for (const name of ['generate', 'validate', 'transform']) {
    expect(app.stderr.match(new RegExp(`configureRequestIds: ${name} threw Error`, 'g'))).toHaveLength(1);
  }
  expect(app.stderr).not.toContain('broken policy');
}, 30_000);

test('TRACEHOP_REQUEST_ID_FORMAT=uuid7 makes time-ordered UUID v7 ids that are the trace ids', async () => {
  const app = await start({ TRACEHOP_REQUEST_ID_FORMAT: 'uuid7' });
  const before = Date.now();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await ask(app));
  for (const { requestId, traceId } of ids) {
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(traceId).toBe(requestId.replace(/-/g, ''));
    const millis = parseInt(requestId.replace(/-/g, '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before - 1000);
    expect(millis).toBeLessThanOrEqual(Date.now());
  }
  // Within one millisecond the order is random (no counter); across milliseconds the time prefix orders them.
  const times = ids.map(id => id.requestId.slice(0, 13));
  expect([...times].sort()).toEqual(times);
}, 30_000);
