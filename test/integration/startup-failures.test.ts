/**
 * Nothing fails silently at start-up, and nothing of it reaches the app: a
 * Node too old for tracehop, a dependency that fails to load, and a throw
 * while the SDK is built each give one line on stderr, and the app serves
 * its requests untraced, exiting as it would without tracehop.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const ROOT = path.join(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'register.js');
const SERVER = path.join(__dirname, '..', 'fixtures', 'server.js');
const BREAK = path.join(__dirname, '..', 'fixtures', 'preloads', 'break-module.js');
const REPORT_WRAPPED = path.join(__dirname, '..', 'fixtures', 'preloads', 'report-http-wrapped.js');
const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(service => service.stop()));
});

const tracehopLines = (stderr: string) => stderr.split('\n').filter(line => line.startsWith('tracehop'));

async function expectServedUntraced(service: Service): Promise<void> {
  const res = await fetch(`${service.url}/`);
  expect(res.status).toBe(200);
  await res.text();
  expect(res.headers.get('x-request-id')).toBeNull();
}

test.each<[string, Record<string, string>, RegExp]>([
  [
    'a dependency that fails to load with the preload',
    { BREAK_MODULE: '@opentelemetry/instrumentation-http' },
    /^tracehop error: start-up failed, tracing is off: simulated broken install of @opentelemetry\/instrumentation-http$/,
  ],
  [
    'a dependency that fails to load while the SDK is built (OTEL_PROPAGATORS=b3)',
    { BREAK_MODULE: '@opentelemetry/propagator-b3', OTEL_PROPAGATORS: 'tracecontext,b3' },
    /^tracehop error: start-up failed, tracing is off: simulated broken install of @opentelemetry\/propagator-b3$/,
  ],
  [
    'a dependency that fails to load after the instrumentations were made (NodeSDK for OTEL_METRICS_EXPORTER)',
    { BREAK_MODULE: '@opentelemetry/sdk-node', OTEL_METRICS_EXPORTER: 'otlp' },
    /^tracehop error: start-up failed, tracing is off: simulated broken install of @opentelemetry\/sdk-node$/,
  ],
])('%s: one line naming the cause, nothing left patched, and the app serves untraced', async (_title, env, line) => {
  const service = await startService(
    'broken-install',
    SERVER,
    { OTEL_TRACES_EXPORTER: 'none', ...env },
    { nodeArgs: ['-r', BREAK, '-r', REGISTER, '-r', REPORT_WRAPPED] },
  );
  running.push(service);
  await expectServedUntraced(service);
  expect(tracehopLines(service.stderr)).toHaveLength(1);
  expect(tracehopLines(service.stderr)[0]).toMatch(line);
  expect(service.stderr).toContain('http.request wrapped: false\n');
});

test('the check sees a wrapped http.request when tracehop starts', async () => {
  const service = await startService('started', SERVER, { OTEL_TRACES_EXPORTER: 'none' }, { nodeArgs: ['-r', REGISTER, '-r', REPORT_WRAPPED] });
  running.push(service);
  expect(service.stderr).toContain('http.request wrapped: true\n');
});

test('a Node older than 22.15 gets one line and the app runs untraced, with its own exit code', () => {
  // Node 20 from the npm registry, cached beside the others (scripts/on-node.js).
  const found = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'on-node.js'), '-p', 'process.execPath'], {
    env: { ...process.env, TRACEHOP_NODE: '20.20.2' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(found.status).toBe(0);
  const node20 = found.stdout.trim();
  const app = spawnSync(node20, ['-r', REGISTER, '-e', 'process.stdout.write(`ran on ${process.version}`); process.exitCode = 3'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(app.stdout).toBe('ran on v20.20.2');
  expect(app.status).toBe(3);
  expect(app.stderr).toBe('tracehop error: Node.js 20.20.2 is not supported (22.15.0 or later is): tracing is off, the app runs untraced\n');
});
