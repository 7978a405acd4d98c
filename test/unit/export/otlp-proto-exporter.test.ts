/**
 * tracehop's protobuf exporter must send what exporter-trace-otlp-proto's
 * OTLPTraceExporter sends for the same configuration: the same request line,
 * headers and body. Both export the same SDK spans to a real server on an
 * ephemeral loopback port.
 */
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';

interface Received {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

let server: http.Server;
let base: string;
const received: Received[] = [];
/** The body of the next answer: an ExportTraceServiceResponse. */
let answer = Buffer.alloc(0);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: {
          'content-type': req.headers['content-type'],
          'content-encoding': req.headers['content-encoding'],
          'user-agent': req.headers['user-agent'],
          'x-tenant': req.headers['x-tenant'] as string | undefined,
        },
        body: req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw,
      });
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
      res.end(answer);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

/**
 * The OTLP exporters load `http` with a dynamic `import()`, which Jest's
 * CommonJS sandbox refuses, so the exports run in a plain child process (with
 * tracehop's compiled code: `npm run build`). It makes one batch, exports it
 * with tracehop's exporter and then (when asked) with the library's, and
 * prints the results' codes and the diag warnings.
 */
const EXPORTING_CHILD = `
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { protobufTraceExporter } = require('./dist/src/export');
const { diag, DiagLogLevel } = require('@opentelemetry/api');
const warnings = [];
diag.setLogger({ error: () => {}, warn: (...args) => warnings.push(args.join(' ')), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
const memory = new InMemorySpanExporter();
const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'exporter-test' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer('exporter-test', '1.0.0');
for (let i = 0; i < 3; i++) tracer.startSpan('GET /items/' + i, { attributes: { 'http.request.method': 'GET', 'url.path': '/items/' + i, 'ünï': 'cödé' } }).end();
const spans = memory.getFinishedSpans();
const config = JSON.parse(process.env.EXPORTER_CONFIG);
const exportWith = exporter => new Promise(resolve => exporter.export(spans, result => exporter.shutdown().then(() => resolve(result.code))));
(async () => {
  const codes = [await exportWith(protobufTraceExporter(config))];
  if (process.env.BOTH === '1') codes.push(await exportWith(new OTLPTraceExporter(config)));
  process.stdout.write(JSON.stringify({ codes, warnings }));
  process.exit(0);
})().catch(error => { console.error(error); process.exit(1); });
`;

function exportFromChild(config: object, both: boolean): Promise<{ codes: number[]; warnings: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', EXPORTING_CHILD],
      { cwd: path.resolve(__dirname, '../../..'), env: { ...process.env, EXPORTER_CONFIG: JSON.stringify(config), BOTH: both ? '1' : '0' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`exporting child failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { codes: number[]; warnings: string[] });
      },
    );
  });
}

const configurations: Array<[string, () => object]> = [
  ['an endpoint URL alone', () => ({ url: `${base}/v1/traces` })],
  ['gzip compression and a header', () => ({ url: `${base}/custom/path`, compression: 'gzip', headers: { 'X-Tenant': 'acme' } })],
  ['a timeout and agent options', () => ({ url: `${base}/v1/traces`, timeoutMillis: 3_000, httpAgentOptions: { keepAlive: false } })],
];

describe('the protobuf exporter sends what exporter-trace-otlp-proto sends', () => {
  test.each(configurations)('%s', async (_name, config) => {
    const before = received.length;
    expect(await exportFromChild(config(), true)).toEqual({ codes: [ExportResultCode.SUCCESS, ExportResultCode.SUCCESS], warnings: [] });
    expect(received).toHaveLength(before + 2);
    const [ours, library] = received.slice(before).map(request => ({ ...request, body: request.body.toString('hex') }));
    expect(ours).toEqual(library);
    expect(ours.headers['content-type']).toBe('application/x-protobuf');
    expect(ours.body.length).toBeGreaterThan(0);
  });
});

test('a partial-success answer is read (and reported through diag) and the export still succeeds', async () => {
  // ExportTraceServiceResponse { partial_success { rejected_spans: 1, error_message: "too old" } }
  answer = Buffer.from([0x0a, 0x0b, 0x08, 0x01, 0x12, 0x07, ...Buffer.from('too old')]);
  try {
    const { codes, warnings } = await exportFromChild({ url: `${base}/v1/traces` }, false);
    expect(codes).toEqual([ExportResultCode.SUCCESS]);
    expect(warnings).toEqual([expect.stringMatching(/Partial Success.*"rejectedSpans":1.*"errorMessage":"too old"/)]);
  } finally {
    answer = Buffer.alloc(0);
  }
});

/**
 * The exporter's parts from @opentelemetry/otlp-exporter-base load at its
 * first export, not when it is made in every start-up; flushed or shut down
 * before any export, it loads nothing.
 */
const LAZY_CHILD = `
const { ExportResultCode } = require('@opentelemetry/core');
const { protobufTraceExporter } = require('./dist/src/export');
const loaded = () => Object.keys(require.cache).some(file => file.includes('otlp-exporter-base'));
const steps = [];
(async () => {
  const first = protobufTraceExporter({ url: process.env.URL });
  steps.push(['made', loaded()]);
  await first.forceFlush();
  steps.push(['flushed before any export', loaded()]);
  await first.shutdown();
  steps.push(['shut down before any export', loaded()]);
  const second = protobufTraceExporter({ url: process.env.URL });
  steps.push(['a second one made', loaded()]);
  const code = await new Promise(resolve => second.export([], result => resolve(result.code)));
  steps.push(['its first export', loaded(), code === ExportResultCode.SUCCESS ? 'succeeded' : 'failed']);
  await second.shutdown();
  process.stdout.write(JSON.stringify(steps));
  process.exit(0);
})().catch(error => { console.error(error); process.exit(1); });
`;

test('the OTLP exporter base loads at the first export, not when the exporter is made', async () => {
  const steps = await new Promise<unknown>((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', LAZY_CHILD],
      { cwd: path.resolve(__dirname, '../../..'), env: { ...process.env, URL: `${base}/v1/traces` }, timeout: 30_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`child failed: ${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    );
  });
  expect(steps).toEqual([
    ['made', false],
    ['flushed before any export', false],
    ['shut down before any export', false],
    ['a second one made', false],
    ['its first export', true, 'succeeded'],
  ]);
});
