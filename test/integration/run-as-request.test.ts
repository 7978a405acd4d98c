/**
 * runAsRequest in a script under `node -r ./register.js` that calls a traced
 * downstream service: one request id across both, a root span of its own,
 * and errors that reach the caller and mark the span.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { REGISTER, startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SCRIPT_TIMEOUT_MS = 20_000;
let receiver: OtlpReceiver;
let downstream: Service;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  downstream = await startService('downstream', path.join(FIXTURES, 'server.js'), {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
}, 30_000);
afterAll(async () => {
  await downstream.stop();
  await receiver.close();
});

function runScript(env: Record<string, string>): Promise<{ code: number | null; lines: LogLine[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER, path.join(FIXTURES, 'run-as-request.js')], {
      cwd: FIXTURES,
      env: { ...process.env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, FIXTURE_TARGET: `${downstream.url}/from-script`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), SCRIPT_TIMEOUT_MS);
    child.on('error', reject);
    // 'close', not 'exit': only then has all of stdout and stderr been read.
    child.on('close', code => {
      clearTimeout(timer);
      resolve({
        code,
        stderr,
        lines: stdout
          .split('\n')
          .filter(Boolean)
          .map(line => JSON.parse(line) as LogLine),
      });
    });
  });
}

const byMessage = (lines: LogLine[]) => Object.fromEntries(lines.map(line => [line.msg, line]));

test('the work gets a request id of its own, carried to the downstream service, and a root INTERNAL span named for it', async () => {
  const { code, lines, stderr } = await runScript({});
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const messages = byMessage(lines);
  expect(messages['before the work']).toMatchObject({ outside: true });
  expect(messages['before the work']).not.toHaveProperty('request_id');
  const inWork = messages['in the work'] as LogLine & { request: { requestId: string; traceId: string } };
  const requestId = inWork.request.requestId;
  expect(inWork).toMatchObject({ request_id: requestId, trace_id: requestId.replace(/-/g, ''), job: 'report' });
  expect(messages['called downstream']).toMatchObject({ request_id: requestId, job: 'report' });
  expect(messages['after the work']).toMatchObject({ result: 'done', outside: true });
  expect(messages['after the work']).not.toHaveProperty('request_id');
  expect(messages['failure reached the caller']).toMatchObject({ caught: 'work failed' });
  expect(messages['sync work']).toMatchObject({ sync: 42 });
  const handled = await downstream.waitForLine(line => line.path === '/from-script');
  expect(handled.request_id).toBe(requestId);
  expect(handled.trace_id).toBe(inWork.trace_id);

  const spans = await receiver.waitForSpans(all => all.some(s => s.name === 'failing-work') && all.some(s => s.name === 'nightly-report'));
  const root = spans.find(s => s.name === 'nightly-report')!;
  expect(root).toMatchObject({ kind: 1, traceId: inWork.trace_id, attributes: expect.objectContaining({ 'request.id': requestId }) });
  expect(root.parentSpanId ?? '').toBe('');
  const failing = spans.find(s => s.name === 'failing-work')!;
  expect(failing.statusCode).toBe(2);
  expect(failing.events.map(event => event.name)).toContain('exception');
  expect(failing.traceId).not.toBe(root.traceId);
}, 40_000);

test('options.requestId is used when acceptable and its trace id follows the mapping', async () => {
  const { lines } = await runScript({ FIXTURE_REQUEST_ID: 'nightly-2026-12-01' });
  const inWork = byMessage(lines)['in the work'];
  expect(inWork.request_id).toBe('nightly-2026-12-01');
  expect(inWork.trace_id).toBe(requestIdToTraceId('nightly-2026-12-01'));
  expect(inWork.request_chain?.startsWith('nightly-2026-12-01')).toBe(true);
  const handled = await downstream.waitForLine(line => line.request_id === 'nightly-2026-12-01');
  expect(handled.trace_id).toBe(inWork.trace_id);
}, 40_000);

test('an unacceptable options.requestId is replaced by a new id and reported once, without the value', async () => {
  const { lines, stderr } = await runScript({ FIXTURE_REQUEST_ID: 'bad id\twith-tab' });
  const inWork = byMessage(lines)['in the work'];
  expect(inWork.request_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(stderr).toMatch(/runAsRequest: options.requestId is not an acceptable request id/);
  expect(stderr).not.toContain('with-tab');
}, 40_000);
