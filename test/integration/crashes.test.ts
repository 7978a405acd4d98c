/**
 * Crashes in a request, under `node -r ./register.js` and compared with the
 * same app without tracehop: the exception is recorded on the request's
 * server span and exported before the exit, one pino-shaped line on stderr
 * names the request, and the exit code and Node's own message are as
 * without tracehop. An app with its own handlers keeps running.
 */
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { REGISTER, startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'crash-app.js');
// Room for the exit hand-off's child process to start and post on a loaded machine.
const SHUTDOWN_TIMEOUT_MS = 10_000;
const running: Service[] = [];
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());
afterEach(() => Promise.all(running.splice(0).map(service => service.stop())));

async function start(traced: boolean, env: Record<string, string> = {}): Promise<Service> {
  const app = await startService(
    'crash-app',
    APP,
    {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      // Nothing leaves on its own schedule: only the way out can deliver the span.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      TRACEHOP_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      ...env,
    },
    traced ? {} : { nodeArgs: [] },
  );
  running.push(app);
  return app;
}

/** Node's own report of the crash: stderr without tracehop's JSON line and diag lines. */
function nodeMessage(stderr: string): string {
  return stderr
    .split('\n')
    .filter(line => !line.startsWith('{') && !line.startsWith('tracehop '))
    .join('\n');
}

const CASES = [
  { path: '/throw', type: 'Error', message: 'boom from the handler', origin: 'uncaught exception' },
  { path: '/reject', type: 'RangeError', message: 'boom from an async handler', origin: 'unhandled rejection' },
  { path: '/timer', type: 'TypeError', message: 'boom from a timer', origin: 'uncaught exception' },
];

describe.each(CASES)('a crash at $path', ({ path: crashPath, type, message, origin }) => {
  test('is exported on the server span, written to stderr with the request id, and exits as without tracehop', async () => {
    const requestId = `crash${crashPath.replace('/', '-')}`;
    const plain = await start(false);
    await fetch(`${plain.url}${crashPath}`).catch(() => undefined);
    const plainExit = await plain.exited;

    const app = await start(true);
    await fetch(`${app.url}${crashPath}`, { headers: { 'x-request-id': requestId } }).catch(() => undefined);
    const exit = await app.exited;
    expect(exit).toEqual(plainExit);
    expect(exit).toEqual({ code: 1, signal: null });
    // 'exit' can come before the last of stderr has been read.
    const nodeReport = new RegExp(`^${type}: ${message}$`, 'm');
    await Promise.all([app.waitForStderr(nodeReport), app.waitForStderr(/^\{"level":60.*\n/m), plain.waitForStderr(nodeReport)]);
    expect(nodeMessage(app.stderr)).toContain(`${type}: ${message}`);
    expect(nodeMessage(plain.stderr)).toContain(`${type}: ${message}`);
    // Node's banner opens with where the app threw, as without tracehop: tracehop never catches and re-throws the app's error.
    const bannerTop = (stderr: string) =>
      nodeMessage(stderr)
        .split('\n')
        .find(line => line.trim() !== '');
    expect(bannerTop(app.stderr)).toBe(bannerTop(plain.stderr));
    expect(bannerTop(app.stderr)).not.toMatch(/dist\/src|tracehop/);

    const crashLines = app.stderr
      .split('\n')
      .filter(line => line.startsWith('{'))
      .map(line => JSON.parse(line) as Record<string, unknown>);
    expect(crashLines).toHaveLength(1);
    const handling = await app.waitForLine(line => line.msg === 'handling');
    expect(crashLines[0]).toMatchObject({
      level: 60,
      msg: `${origin}: ${message}`,
      err: { type, message, stack: expect.stringContaining(`${type}: ${message}`) },
      trace_id: handling.trace_id,
      request_id: requestId,
    });
    expect(String(crashLines[0].request_chain).startsWith(requestId)).toBe(true);

    const spans = await receiver.waitForSpans(all => all.some(span => span.traceId === handling.trace_id));
    const server = spans.find(span => span.traceId === handling.trace_id && span.kind === 2)!;
    // The server span if it was still open at the crash; else (a timer after the answer) a child of it.
    const failed = crashPath === '/timer' ? spans.find(span => span.parentSpanId === server.spanId)! : server;
    expect(failed).toBeDefined();
    expect(failed.statusCode).toBe(2);
    const exception = failed.events.find(event => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({ 'exception.type': type, 'exception.message': message });
    expect(String(exception?.attributes['exception.stacktrace'])).toContain(message);
  }, 60_000);
});

test('an app with its own handlers keeps running: tracehop records the errors on their requests and writes no crash line', async () => {
  const app = await start(true, { FIXTURE_OWN_HANDLERS: '1' });
  await fetch(`${app.url}/timer`, { headers: { 'x-request-id': 'handled-timer' } });
  await app.waitForLine(line => line.msg === 'app handled an exception');
  // The rejecting handler never answers: the request is left open until the app stops.
  void fetch(`${app.url}/reject`, { headers: { 'x-request-id': 'handled-reject' } }).catch(() => undefined);
  await app.waitForLine(line => line.msg === 'app handled a rejection');
  expect(await fetch(`${app.url}/ok`).then(response => response.text())).toBe('ok');
  expect(app.stderr.split('\n').filter(line => line.startsWith('{'))).toEqual([]);
  expect(app.child.exitCode).toBeNull();
}, 60_000);

test.each([
  ['/survive', 'app handled an exception'],
  ['/survive-reject', 'app handled a rejection'],
])(
  "an error the app survives mid-request (%s) is recorded on the request's span, which lasts the whole request; no crash line, no noise",
  async (survivePath, handledMessage) => {
    const app = await start(true, { FIXTURE_OWN_HANDLERS: '1', OTEL_BSP_SCHEDULE_DELAY: '50' });
    const began = Date.now();
    const answer = await fetch(`${app.url}${survivePath}`, { headers: { 'x-request-id': 'survived' } }).then(response => response.text());
    const took = Date.now() - began;
    expect(answer).toBe('started finished');
    expect(took).toBeGreaterThanOrEqual(140);
    await app.waitForLine(line => line.msg === handledMessage && line.handled === 'boom the app survives');
    const handling = await app.waitForLine(line => line.msg === 'handling' && line.request_id === 'survived');
    const spans = await receiver.waitForSpans(all => all.some(span => span.traceId === handling.trace_id && span.kind === 2));
    const server = spans.find(span => span.traceId === handling.trace_id && span.kind === 2)!;
    // Ended by its response, 150 ms in, not by the error 10 ms in.
    expect(Number(server.endTimeUnixNano - server.startTimeUnixNano) / 1e6).toBeGreaterThanOrEqual(140);
    expect(server.statusCode).toBe(2);
    expect(server.statusMessage).toBe('boom the app survives');
    expect(server.attributes['http.response.status_code']).toBe(200);
    const exceptions = server.events.filter(event => event.name === 'exception');
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0].attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'boom the app survives' });
    // The app keeps serving, and nothing of ours on stderr: no crash line, no complaint about an ended span.
    expect(await fetch(`${app.url}/ok`).then(response => response.text())).toBe('ok');
    expect(app.child.exitCode).toBeNull();
    expect(app.stderr).not.toMatch(/"level":60/);
    expect(app.stderr).not.toMatch(/ended Span|end\(\) on a span once/);
    expect(app.stderr).toBe('');
  },
  60_000,
);

describe('--unhandled-rejections modes are respected', () => {
  test('warn: the process keeps running, as without tracehop', async () => {
    const app = await startService('crash-app', APP, { OTEL_TRACES_EXPORTER: 'none' }, { nodeArgs: ['--unhandled-rejections=warn', '-r', REGISTER] });
    running.push(app);
    void fetch(`${app.url}/reject`).catch(() => undefined);
    await app.waitForStderr(/boom from an async handler/);
    expect(await fetch(`${app.url}/ok`).then(response => response.text())).toBe('ok');
    expect(app.child.exitCode).toBeNull();
  }, 60_000);

  test('strict: the process exits 1 and the crash line names the request', async () => {
    const app = await startService('crash-app', APP, { OTEL_TRACES_EXPORTER: 'none' }, { nodeArgs: ['--unhandled-rejections=strict', '-r', REGISTER] });
    running.push(app);
    void fetch(`${app.url}/reject`, { headers: { 'x-request-id': 'strict-reject' } }).catch(() => undefined);
    expect(await app.exited).toEqual({ code: 1, signal: null });
    await app.waitForStderr(/"request_id":"strict-reject"/);
  }, 60_000);
});
