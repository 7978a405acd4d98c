/**
 * The exit hand-off reaches an HTTPS collector whose certificate comes from a
 * private CA, trusted through NODE_EXTRA_CA_CERTS: the child that posts the
 * last spans at process.exit() gets the variables the exporter relies on.
 * The CA and the collector's certificate are made at test time with openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeExportTraceServiceRequest } from '../support/otlp-protobuf';
import type { ReceivedSpan } from '../support/otlp-protobuf';
import { listenOnLoopback } from '../support/ports';
import { startService } from '../support/services';

const SCRIPT = path.join(__dirname, '..', 'fixtures', 'exit-script.js');
const CLIENT = 3;
let dir: string;
let collector: https.Server;
let collectorUrl: string;
let target: http.Server;
let targetUrl: string;
const spans: ReceivedSpan[] = [];
const arrivals = new Set<() => void>();

function makeCertificates(into: string): { ca: string; key: string; cert: string } {
  const file = (name: string) => path.join(into, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=tracehop test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '1', '-extfile', file('ext.cnf'));
  return { ca: file('ca.pem'), key: readFileSync(file('server.key'), 'utf8'), cert: readFileSync(file('server.pem'), 'utf8') };
}

let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tracehop-tls-'));
  const { ca, key, cert } = makeCertificates(dir);
  caFile = ca;
  collector = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      spans.push(...decodeExportTraceServiceRequest(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)).flatMap(r => r.spans));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      for (const arrived of arrivals) arrived();
    });
  });
  collectorUrl = `https://127.0.0.1:${await listenOnLoopback(collector)}/v1/traces`;
  target = http.createServer((_req, res) => res.end('pong'));
  targetUrl = `http://127.0.0.1:${await listenOnLoopback(target)}`;
});
afterAll(async () => {
  collector?.closeAllConnections();
  target?.closeAllConnections();
  await Promise.all([collector, target].map(server => new Promise(resolve => server?.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

function clientSpans(count: number, timeoutMs: number): Promise<ReceivedSpan[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const clients = spans.filter(span => span.kind === CLIENT);
      if (clients.length < count) return;
      arrivals.delete(check);
      clearTimeout(timer);
      resolve(clients);
    };
    const timer = setTimeout(() => {
      arrivals.delete(check);
      reject(new Error(`${spans.length} span(s) reached the HTTPS collector within ${timeoutMs} ms`));
    }, timeoutMs);
    arrivals.add(check);
    check();
  });
}

test('process.exit() hands its spans to an HTTPS collector behind a private CA (NODE_EXTRA_CA_CERTS)', async () => {
  const app = await startService('exit-script', SCRIPT, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collectorUrl,
    NODE_EXTRA_CA_CERTS: caFile,
    // Nothing leaves on its own schedule: only the hand-off at exit can deliver.
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    TRACEHOP_SHUTDOWN_TIMEOUT_MS: '10000',
    FIXTURE_TARGET: targetUrl,
    FIXTURE_END: 'exit',
    FIXTURE_EXIT_CODE: '5',
  });
  expect(await app.exited).toEqual({ code: 5, signal: null });
  expect(await clientSpans(3, 15_000)).toHaveLength(3);
});
