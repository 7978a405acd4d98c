/**
 * Bad input gets a clear answer and loses nothing: hostile request-id
 * headers are never echoed or logged, invalid settings get one line each,
 * an unreachable collector never hurts the app, and ignored paths are left
 * alone.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { spawn } from 'node:child_process';
import { REGISTER, startService } from '../support/services';
import type { Service } from '../support/services';
import { closedPort } from '../support/ports';

const SERVER = path.join(__dirname, '..', 'fixtures', 'server.js');
const WORKER_ONCE = path.join(__dirname, '..', 'fixtures', 'worker-once.js');
const running: Service[] = [];
let receiver: OtlpReceiver;

async function start(env: Record<string, string>): Promise<Service> {
  const service = await startService('server', SERVER, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_BSP_SCHEDULE_DELAY: '50', ...env });
  running.push(service);
  return service;
}

async function get(service: Service, pathname: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}${pathname}`, { headers });
  await res.text();
  return res;
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  await receiver.close();
});

describe('hostile request-id headers', () => {
  // fetch refuses to send CR/LF or non-Latin-1 header values, so raw bytes go
  // through a socket, as a hostile client would send them.
  function rawGet(service: Service, headerLine: Buffer): Promise<string> {
    const { port } = new URL(service.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let response = '';
      socket.on('data', chunk => {
        response += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(response));
      socket.on('error', reject);
      socket.write(Buffer.concat([Buffer.from('GET /hostile HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'), headerLine, Buffer.from('\r\n\r\n')]));
    });
  }

  const table: Array<[string, Buffer]> = [
    ['too long', Buffer.from(`X-Request-ID: ${'a'.repeat(200)}`)],
    ['non-ASCII', Buffer.from('X-Request-ID: caf\u00e9-\u{1F600}', 'utf8')],
    ['with a space', Buffer.from('X-Request-ID: two words')],
    ['with a comma list of spaces', Buffer.from('X-Request-ID: a, b, c')],
    ['an injected log field', Buffer.from('X-Request-ID: x", "level": 60, "msg": "forged')],
  ];

  test.each(table)('an X-Request-ID %s is replaced by a new id and appears nowhere', async (_title, headerLine) => {
    const service = running[0] ?? (await start({}));
    const before = service.lines.length;
    const response = await rawGet(service, headerLine);
    const echoed = /x-request-id: ([^\r\n]*)/i.exec(response)?.[1];
    expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const line = await service.waitForLine(l => l.request_id === echoed);
    expect(line.path).toBe('/hostile');
    const sent = headerLine.toString('latin1').slice('X-Request-ID: '.length);
    for (const later of service.lines.slice(before)) expect(JSON.stringify(later)).not.toContain(sent);
    if (headerLine.includes('forged')) {
      expect(service.lines.slice(before).some(l => l.msg === 'forged')).toBe(false);
    }
  });

  test('an acceptable id with quotes stays inside its own JSON field', async () => {
    const service = running[0] ?? (await start({}));
    const before = service.lines.length;
    const res = await get(service, '/quoted', { 'X-Request-ID': 'x","level":60,"msg":"forged' });
    // Visible ASCII, no spaces: a chain whose root is `x"`.
    expect(res.headers.get('x-request-id')).toBe('x"');
    const line = await service.waitForLine(l => l.path === '/quoted');
    expect(line).toMatchObject({ request_id: 'x"', level: 30, msg: 'handled' });
    expect(service.lines.slice(before).some(l => l.msg === 'forged' || l.level === 60)).toBe(false);
  });

  test('a header that fails validation is reported without its value, once per interval', async () => {
    const service = await start({});
    for (let i = 0; i < 5; i++) await get(service, '/x', { 'X-Request-ID': `bad id ${i}` });
    const stderr = await service.waitForStderr(/ignored an incoming x-request-id header/);
    expect(stderr.match(/ignored an incoming x-request-id header/g)).toHaveLength(1);
    expect(stderr).toContain('white space');
    expect(stderr).not.toContain('bad id');
  });
});

describe('settings', () => {
  test('an invalid setting gets one line naming the variable and the value used, and the app runs', async () => {
    const service = await start({ OTEL_TRACES_SAMPLER: 'sometimes', TRACEHOP_SHUTDOWN_TIMEOUT_MS: 'soon' });
    const res = await get(service, '/after-bad-settings', { 'X-Request-ID': 'settings-1' });
    expect(res.headers.get('x-request-id')).toBe('settings-1');
    const lines = service.stderr.trim().split('\n');
    expect(lines).toEqual([
      'tracehop warn: OTEL_TRACES_SAMPLER="sometimes" is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; using parentbased_always_on',
      'tracehop warn: TRACEHOP_SHUTDOWN_TIMEOUT_MS="soon" is not a whole number of at least 0; using 5000',
    ]);
  });

  test('a bad OTLP setting is one line, also after the exporter is built at its first export', async () => {
    const service = await start({ OTEL_EXPORTER_OTLP_TIMEOUT: 'abc', OTEL_EXPORTER_OTLP_COMPRESSION: 'zip' });
    await get(service, '/after-bad-otlp-settings', { 'X-Request-ID': 'settings-otlp-1' });
    await receiver.waitForSpans(spans => spans.some(span => span.attributes['url.path'] === '/after-bad-otlp-settings'));
    expect(service.stderr.trim().split('\n')).toEqual([
      'tracehop warn: OTEL_EXPORTER_OTLP_TIMEOUT="abc" is not a whole number of at least 1; using 10000',
      'tracehop warn: OTEL_EXPORTER_OTLP_COMPRESSION="zip" is not one of gzip, none; using none',
    ]);
  });

  test('a bad endpoint is one line on stderr, however it is read: behind a bad traces endpoint, and again in a worker thread', async () => {
    const child = spawn(process.execPath, ['-r', REGISTER, WORKER_ONCE], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318/v1/traces',
        OTEL_TRACES_EXPORTER: 'otlp',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    expect(await new Promise(resolve => child.once('close', resolve))).toBe(0);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter(line => line !== '')).toEqual([
      'tracehop warn: OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" is not an http or https URL; using http://localhost:4318/v1/traces',
      'tracehop warn: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="collector:4318/v1/traces" is not an http or https URL; using http://localhost:4318/v1/traces',
    ]);
  }, 30_000);

  test('TRACEHOP_IGNORE_PATHS leaves health checks untraced', async () => {
    const service = await start({ TRACEHOP_IGNORE_PATHS: '/healthz' });
    const health = await get(service, '/healthz', { 'X-Request-ID': 'health-1' });
    expect(health.headers.get('x-request-id')).toBeNull();
    await get(service, '/work', { 'X-Request-ID': 'work-1' });
    await receiver.waitForSpans(all => all.some(s => s.attributes['request.id'] === 'work-1'));
    expect(receiver.spans.some(s => s.attributes['url.path'] === '/healthz')).toBe(false);
  });

  test('OTEL_SDK_DISABLED=true leaves the app untouched', async () => {
    const service = await start({ OTEL_SDK_DISABLED: 'true' });
    const res = await get(service, '/disabled', { 'X-Request-ID': 'disabled-1' });
    expect(res.headers.get('x-request-id')).toBeNull();
    const line = await service.waitForLine(l => l.path === '/disabled');
    expect(line).not.toHaveProperty('trace_id');
  });
});

describe('an unreachable collector', () => {
  test('the app keeps serving, and export failures make one diag line', async () => {
    const service = await start({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${await closedPort()}/v1/traces`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await get(service, `/down-${i}`)).status);
    expect(statuses.every(status => status === 200)).toBe(true);
    const stderr = await service.waitForStderr(/trace export failed/, 20000);
    for (let i = 0; i < 20; i++) statuses.push((await get(service, `/still-down-${i}`)).status);
    expect(statuses.every(status => status === 200)).toBe(true);
    expect(service.stderr.match(/trace export failed/g)).toHaveLength(1);
    expect(stderr).toContain('ECONNREFUSED');
    expect(service.child.exitCode).toBeNull();
  });
});

describe('signals beyond traces', () => {
  test('OTEL_LOGS_EXPORTER hands the set-up to NodeSDK, and traces, ids and log fields still work', async () => {
    const service = await start({ OTEL_LOGS_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none' });
    const res = await get(service, '/with-nodesdk', { 'X-Request-ID': 'nodesdk-1' });
    expect(res.headers.get('x-request-id')).toBe('nodesdk-1');
    const line = await service.waitForLine(l => l.path === '/with-nodesdk');
    expect(line).toMatchObject({ request_id: 'nodesdk-1', request_chain: `nodesdk-1,${line.span_id}` });
    await receiver.waitForSpans(all => all.some(s => s.attributes['request.id'] === 'nodesdk-1'));
  });
});
