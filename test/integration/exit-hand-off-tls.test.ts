/**
 * The exit hand-off reaches the collector the way the exporter does: an
 * HTTPS collector whose certificate comes from a private CA, trusted through
 * NODE_EXTRA_CA_CERTS or OTEL_EXPORTER_OTLP_CERTIFICATE; one that requires a
 * client certificate (OTEL_EXPORTER_OTLP_CLIENT_KEY and CLIENT_CERTIFICATE,
 * the TRACES_ forms winning); and one that requires gzip
 * (OTEL_EXPORTER_OTLP_COMPRESSION). The app exits by process.exit() right
 * after queueing its spans, so only the hand-off can send them. The CA and
 * the certificates are made at test time with openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeExportTraceServiceRequest } from '../support/otlp-protobuf';
import type { ReceivedSpan } from '../support/otlp-protobuf';
import { startOtlpReceiver } from '../support/otlp-receiver';
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

function makeCertificates(into: string): { ca: string; key: string; cert: string; clientKey: string; clientCert: string } {
  const file = (name: string) => path.join(into, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=tracehop test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '1',
    '-extfile',
    file('ext.cnf'),
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', '/CN=tracehop test client');
  openssl(
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('client.pem'),
    '-days',
    '1',
  );
  return {
    ca: file('ca.pem'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8'),
    clientKey: file('client.key'),
    clientCert: file('client.pem'),
  };
}

let caFile: string;
let clientKeyFile: string;
let clientCertFile: string;
let mtlsCollector: https.Server;
let mtlsUrl: string;
const mtlsClientNames: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tracehop-tls-'));
  const { ca, key, cert, clientKey, clientCert } = makeCertificates(dir);
  caFile = ca;
  clientKeyFile = clientKey;
  clientCertFile = clientCert;
  const receive = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      spans.push(...decodeExportTraceServiceRequest(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)).flatMap(r => r.spans));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      for (const arrived of arrivals) arrived();
    });
  };
  collector = https.createServer({ key, cert }, receive);
  collectorUrl = `https://127.0.0.1:${await listenOnLoopback(collector)}/v1/traces`;
  // Mutual TLS: a client without a certificate from the CA is refused in the handshake.
  mtlsCollector = https.createServer({ key, cert, ca: readFileSync(ca), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    mtlsClientNames.push(String((req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN));
    receive(req, res);
  });
  mtlsUrl = `https://127.0.0.1:${await listenOnLoopback(mtlsCollector)}/v1/traces`;
  target = http.createServer((_req, res) => res.end('pong'));
  targetUrl = `http://127.0.0.1:${await listenOnLoopback(target)}`;
});
afterAll(async () => {
  for (const server of [collector, mtlsCollector, target]) server?.closeAllConnections();
  await Promise.all([collector, mtlsCollector, target].map(server => new Promise(resolve => server?.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

function clientSpans(count: number, timeoutMs: number, service?: string): Promise<ReceivedSpan[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const clients = spans.filter(span => span.kind === CLIENT && (service === undefined || span.service === service));
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

/** The exit script under tracehop, with only the hand-off at exit to deliver its spans. */
function exitScript(env: Record<string, string>) {
  return startService('exit-script', SCRIPT, {
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    TRACEHOP_SHUTDOWN_TIMEOUT_MS: '10000',
    FIXTURE_TARGET: targetUrl,
    FIXTURE_END: 'exit',
    FIXTURE_EXIT_CODE: '5',
    ...env,
  });
}

test('process.exit() hands its spans to a collector that requires a client certificate (OTEL_EXPORTER_OTLP_CERTIFICATE, CLIENT_KEY, CLIENT_CERTIFICATE; TRACES_ forms win)', async () => {
  const app = await exitScript({
    OTEL_SERVICE_NAME: 'mtls-exit',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: mtlsUrl,
    OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: caFile,
    // The generic forms name files that do not exist: the TRACES_ forms must win.
    OTEL_EXPORTER_OTLP_CLIENT_KEY: path.join(dir, 'missing.key'),
    OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: clientKeyFile,
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: clientCertFile,
  });
  expect(await app.exited).toEqual({ code: 5, signal: null });
  expect(await clientSpans(3, 15_000, 'mtls-exit')).toHaveLength(3);
  expect(mtlsClientNames).toContain('tracehop test client');
  expect(app.stderr).not.toMatch(/could not be read/);
});

test('the exporter itself (a drained event loop flushes through it, no hand-off) presents the client certificate too', async () => {
  const app = await exitScript({
    OTEL_SERVICE_NAME: 'mtls-drain',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: mtlsUrl,
    OTEL_EXPORTER_OTLP_CERTIFICATE: caFile,
    OTEL_EXPORTER_OTLP_CLIENT_KEY: clientKeyFile,
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: clientCertFile,
    FIXTURE_END: 'drain',
  });
  expect(await app.exited).toEqual({ code: 5, signal: null });
  expect(await clientSpans(3, 15_000, 'mtls-drain')).toHaveLength(3);
  expect(app.stderr).not.toMatch(/export failed|unsent/);
});

test('without the client certificate, the collector that requires one gets nothing (the test above is not passing by accident)', async () => {
  const app = await exitScript({
    OTEL_SERVICE_NAME: 'mtls-refused',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: mtlsUrl,
    OTEL_EXPORTER_OTLP_CERTIFICATE: caFile,
    TRACEHOP_SHUTDOWN_TIMEOUT_MS: '3000',
  });
  expect(await app.exited).toEqual({ code: 5, signal: null });
  await app.waitForStderr(/span counts/);
  expect(spans.filter(span => span.service === 'mtls-refused')).toEqual([]);
});

test('process.exit() hands its spans, gzipped, to a collector that requires gzip (OTEL_EXPORTER_OTLP_COMPRESSION)', async () => {
  const receiver = await startOtlpReceiver({ requireGzip: true });
  try {
    const app = await exitScript({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    expect(await app.exited).toEqual({ code: 5, signal: null });
    const received = await receiver.waitForSpans(all => all.filter(span => span.kind === CLIENT).length >= 3);
    expect(received.filter(span => span.kind === CLIENT)).toHaveLength(3);
    expect(receiver.contentEncodings).toEqual(['gzip']);
    expect(receiver.errors).toEqual([]);
  } finally {
    await receiver.close();
  }
});
