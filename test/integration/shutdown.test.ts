/**
 * Flushing on the way out: SIGTERM with and without the app's own handler,
 * and a script whose event loop simply drains.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startService } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

// A long batch delay: only a flush on the way out can deliver the spans.
const slowBatch = () => ({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_BSP_SCHEDULE_DELAY: '600000' });

test('SIGTERM flushes pending spans, then the process ends by that signal as it would without tracehop', async () => {
  const service = await startService('server', path.join(FIXTURES, 'server.js'), slowBatch());
  const res = await fetch(`${service.url}/flush-on-sigterm`, { headers: { 'X-Request-ID': 'sigterm-default' } });
  await res.text();
  service.child.kill('SIGTERM');
  const exit = await service.exited;
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  const spans = await receiver.waitForSpans(all => all.some(s => s.attributes['request.id'] === 'sigterm-default'), 5000);
  expect(spans.find(s => s.attributes['request.id'] === 'sigterm-default')?.attributes['url.path']).toBe('/flush-on-sigterm');
});

test("with the app's own SIGTERM handler, spans are flushed and the app keeps its exit code", async () => {
  const service = await startService('server', path.join(FIXTURES, 'server.js'), { ...slowBatch(), FIXTURE_SIGTERM_EXIT_CODE: '3' });
  const res = await fetch(`${service.url}/app-handler`, { headers: { 'X-Request-ID': 'sigterm-app' } });
  await res.text();
  service.child.kill('SIGTERM');
  expect(await service.exited).toEqual({ code: 3, signal: null });
  await receiver.waitForSpans(all => all.some(s => s.attributes['request.id'] === 'sigterm-app'), 5000);
  expect(service.lines.some(line => line.msg === 'app shutting down')).toBe(true);
  // Tracing goes on while the app drains: the request it makes after the signal is recorded too.
  await receiver.waitForSpans(all => all.some(s => s.attributes['url.path'] === '/drain' && s.kind === 2), 5000);
});

test('with signal-exit loaded, SIGTERM still ends the process by that signal, after its clean-up', async () => {
  const service = await startService('server', path.join(FIXTURES, 'server.js'), { ...slowBatch(), FIXTURE_SIGNAL_EXIT: '1' });
  await (await fetch(`${service.url}/with-signal-exit`, { headers: { 'X-Request-ID': 'signal-exit-1' } })).text();
  service.child.kill('SIGTERM');
  expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
  // stdout may still be in the pipe when the exit is seen.
  await service.waitForLine(line => line.msg === 'signal-exit clean-up ran');
  await receiver.waitForSpans(all => all.some(s => s.attributes['request.id'] === 'signal-exit-1'), 5000);
});

test('a script that ends on its own flushes its spans at exit', async () => {
  const target = http.createServer((_req, res) => res.end('pong'));
  await new Promise<void>(resolve => target.listen(0, '127.0.0.1', resolve));
  const { port } = target.address() as { port: number };
  try {
    const script = await startService('one-shot', path.join(FIXTURES, 'one-shot.js'), {
      ...slowBatch(),
      FIXTURE_TARGET: `http://127.0.0.1:${port}/ping`,
      OTEL_SERVICE_NAME: 'one-shot-script',
    });
    expect(await script.exited).toEqual({ code: 0, signal: null });
    const spans = await receiver.waitForSpans(all => all.some(s => s.service === 'one-shot-script'), 5000);
    expect(spans.filter(s => s.service === 'one-shot-script').map(s => s.kind)).toContain(3);
  } finally {
    await new Promise(resolve => target.close(resolve));
  }
});
