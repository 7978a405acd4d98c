/**
 * Worker threads under the preload (Node passes `-r` on to them): pino's
 * transport workers get no SDK, so a transport that ships logs over HTTP is
 * neither traced nor sent our headers; the app's own worker threads are
 * traced under the app's service name, never `unknown_service:node`, even
 * when the worker's file lives in another package.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { listenOnLoopback } from '../support/ports';
import { REGISTER } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'workers', 'app.js');
const OUR_HEADERS = ['traceparent', 'tracestate', 'baggage', 'x-request-id'];

interface SinkRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

let receiver: OtlpReceiver;
let sink: http.Server;
let sinkUrl: string;
const received: SinkRequest[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers });
      res.end('ok');
    });
  });
  sinkUrl = `http://127.0.0.1:${await listenOnLoopback(sink)}`;
});
afterAll(async () => {
  await receiver?.close();
  sink?.closeAllConnections();
  await new Promise(resolve => sink?.close(resolve));
});

function runApp(): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['-r', REGISTER, APP], {
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: '',
      OTEL_RESOURCE_ATTRIBUTES: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_LOG_LEVEL: 'debug',
      FIXTURE_SINK: sinkUrl,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', chunk => (stderr += chunk));
  return new Promise(resolve => child.once('close', code => resolve({ code, stderr })));
}

describe('worker threads', () => {
  let run: { code: number | null; stderr: string };

  beforeAll(async () => {
    run = await runApp();
  }, 60_000);

  test('the app ends normally, and the SDK starts in the main thread and its own worker only, both as the app', () => {
    expect(run.code).toBe(0);
    const started = run.stderr.split('\n').filter(line => line.includes('tracehop debug: started:'));
    expect(started).toHaveLength(2);
    for (const line of started) expect(line).toContain('service.name=worker-app (from ');
    expect(run.stderr).not.toContain('unknown_service:node');
  });

  test('the pino transport ships its line without our headers', () => {
    const logs = received.filter(request => request.path === '/logs');
    expect(logs).toHaveLength(1);
    for (const name of OUR_HEADERS) expect(logs[0].headers[name]).toBeUndefined();
  });

  test("the app's worker thread is traced under the app's service name and propagates", async () => {
    const call = received.find(request => request.path === '/from-worker');
    expect(call?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const spans = await receiver.waitForSpans(all => all.some(span => String(span.attributes['url.full']).endsWith('/from-worker')), 20_000);
    const client = spans.find(span => String(span.attributes['url.full']).endsWith('/from-worker'));
    expect(client?.service).toBe('worker-app');
    expect(client?.traceId).toBe(String(call?.headers.traceparent).split('-')[1]);
    expect(spans.filter(span => String(span.attributes['url.full']).endsWith('/logs'))).toEqual([]);
    expect(spans.filter(span => span.service !== 'worker-app')).toEqual([]);
  });
});
