/**
 * tracehop's server-span attributes, request by request, under the stable
 * HTTP semantic conventions, compared with what instrumentation-http itself
 * gives for the same request: so tracehop's spans read as the OpenTelemetry
 * one's do, and any drift of instrumentation-http shows here.
 *
 * instrumentation-http's side comes from a plain child process (public API
 * only): an SDK TracerProvider with an in-memory exporter, HttpInstrumentation
 * enabled (synthetic source detection off, its default) before `http` and
 * `https` are required, and an HTTP and an HTTPS server on ephemeral loopback
 * ports. Each case's request is sent byte for byte over a raw TCP (or TLS)
 * connection, so absolute-form targets, a missing Host header, HTTP/1.0 and
 * odd paths arrive exactly; the child prints each request's server span's
 * attributes and client port. tracehop's side is `requestAttributes` on the
 * same request facts, with that client port.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requestAttributes } from '../../../src/http/server-span/attributes';
import type { RequestFacts } from '../../../src/http/server-span/attributes';

const base: RequestFacts = {
  method: 'GET',
  url: '/',
  httpVersion: '1.1',
  headers: { host: '127.0.0.1:8080' },
  remoteAddress: '127.0.0.1',
  remotePort: undefined,
};

interface Case {
  readonly title: string;
  readonly request: Partial<RequestFacts>;
  readonly scheme?: 'http' | 'https';
  /**
   * Node's HTTP parser answers 400 to this request line (a lower-case method,
   * a space in the target), so neither server span can come from it on the
   * wire: the child sends `GET /` with the case's headers and sets the
   * IncomingMessage's `method` and `url` to the case's before
   * instrumentation-http's patched `emit` sees the request. tracehop reads
   * the same two fields.
   */
  readonly notOnTheWire?: true;
}

const cases: Case[] = [
  { title: 'a plain GET', request: {} },
  { title: 'a path and a query', request: { url: '/users/42?sort=asc&x=%20y' } },
  { title: 'a signed query is redacted', request: { url: '/file?X-Amz-Signature=abc&sig=def&keep=1' } },
  { title: 'dot segments and an encoded path', request: { url: '/a/../b/./c%2Fd' } },
  { title: 'a path with spaces and quotes', request: { url: '/a b/"c"' }, notOnTheWire: true },
  { title: 'an absolute-form target', request: { url: 'http://example.com/x?y=1' } },
  { title: 'a fragment', request: { url: '/p#frag?notquery' } },
  { title: 'a lower-case method', request: { method: 'post' }, notOnTheWire: true },
  { title: 'an unknown method', request: { method: 'PURGE' } },
  { title: 'a user agent', request: { headers: { host: 'svc', 'user-agent': 'curl/8.0' } } },
  // The servers accept it (requireHostHeader: false), as a service behind a proxy may.
  { title: 'no host header', request: { headers: {} } },
  { title: 'a host without a port over https', request: { headers: { host: 'api.example.com' } }, scheme: 'https' },
  { title: 'an IPv6 host', request: { headers: { host: '[::1]:3000' } } },
  { title: 'X-Forwarded-Host and -Proto', request: { headers: { host: 'internal:80', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' } } },
  { title: 'X-Forwarded-For', request: { headers: { host: 'h', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } } },
  { title: 'Forwarded', request: { headers: { host: 'h', forwarded: 'for="[2001:db8::1]:4711";host=public.example;proto=https' } } },
  { title: 'HTTP/1.0', request: { httpVersion: '1.0' } },
];

/** What the child is asked to send: the raw request, over TLS or not, and the fields to set past the parser. */
interface ChildRequest {
  readonly secure: boolean;
  readonly raw: string;
  readonly set?: { method: string | undefined; url: string | undefined };
}

/** A request's server span as instrumentation-http made it, and the client port it came from. */
interface Observed {
  readonly clientPort: number;
  readonly attributes: Record<string, unknown>;
}

function factsOf(testCase: Case): RequestFacts {
  return { ...base, ...testCase.request };
}

function childRequest(testCase: Case): ChildRequest {
  const facts = factsOf(testCase);
  const line = testCase.notOnTheWire ? `GET / HTTP/${facts.httpVersion}` : `${facts.method} ${facts.url} HTTP/${facts.httpVersion}`;
  const headers = Object.entries(facts.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map(v => `${name}: ${v}\r\n`));
  return {
    secure: testCase.scheme === 'https',
    raw: `${line}\r\n${headers.join('')}\r\n`,
    ...(testCase.notOnTheWire ? { set: { method: facts.method, url: facts.url } } : {}),
  };
}

/**
 * The child: instrumentation-http, enabled the standard way, on an HTTP and
 * an HTTPS server. Requests go one at a time; each waits for its connection
 * to close (the server answers with `Connection: close`) and for its server
 * span to end, then takes the span from the in-memory exporter.
 */
const INSTRUMENTED_CHILD = `
const { context, trace, SpanKind } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { TracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = require('@opentelemetry/sdk-trace');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const memory = new InMemorySpanExporter();
let spanEnded = () => {};
const provider = new TracerProvider({ spanProcessors: [
  new SimpleSpanProcessor({ exporter: memory }),
  { onStart() {}, onEnd() { spanEnded(); }, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() },
] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation()] });
const http = require('http');
const https = require('https');
const net = require('net');
const tls = require('tls');

const requests = JSON.parse(process.env.REQUESTS);
let set;
const answer = (req, res) => { res.setHeader('Connection', 'close'); res.end('ok'); };
const options = { requireHostHeader: false };
const plain = http.createServer(options, answer);
const secure = https.createServer({ ...options, key: process.env.TLS_KEY, cert: process.env.TLS_CERT }, answer);
for (const server of [plain, secure]) {
  // Past the parser, before instrumentation-http's patched prototype emit.
  server.emit = function (event, ...args) {
    if (event === 'request' && set !== undefined) Object.assign(args[0], set);
    return Object.getPrototypeOf(this).emit.call(this, event, ...args);
  };
}
const listen = server => new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

function send(port, request) {
  return new Promise((resolve, reject) => {
    const socket = request.secure
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect(port, '127.0.0.1');
    let clientPort;
    let response = '';
    socket.setEncoding('latin1');
    socket.once(request.secure ? 'secureConnect' : 'connect', () => {
      clientPort = socket.localPort;
      socket.write(request.raw, 'latin1');
    });
    socket.on('data', chunk => { response += chunk; });
    socket.on('error', reject);
    socket.on('close', () => resolve({ clientPort, status: response.split('\\r\\n', 1)[0] }));
  });
}

(async () => {
  const ports = { plain: await listen(plain), secure: await listen(secure) };
  const observed = [];
  for (const request of requests) {
    set = request.set;
    const ended = new Promise(resolve => { spanEnded = resolve; });
    const { clientPort, status } = await send(request.secure ? ports.secure : ports.plain, request);
    if (status !== 'HTTP/1.1 200 OK') throw new Error('answered ' + JSON.stringify(status) + ' to ' + JSON.stringify(request.raw));
    await ended;
    const spans = memory.getFinishedSpans().filter(span => span.kind === SpanKind.SERVER);
    memory.reset();
    if (spans.length !== 1) throw new Error(spans.length + ' server spans for ' + JSON.stringify(request.raw));
    observed.push({ clientPort, attributes: spans[0].attributes });
  }
  await Promise.all([plain, secure].map(server => new Promise(resolve => server.close(resolve))));
  process.stdout.write(JSON.stringify(observed), () => process.exit(0));
})().catch(error => { console.error(error); process.exit(1); });
`;

/** A throwaway self-signed certificate for the child's HTTPS server. */
async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tracehop-attributes-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await new Promise<void>((resolve, reject) => {
      execFile(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        { timeout: 30_000 },
        (error, _stdout, stderr) => (error ? reject(new Error(`openssl failed: ${error.message}\n${stderr}`)) : resolve()),
      );
    });
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function observeWithInstrumentationHttp(requests: ChildRequest[], tlsCredentials: { key: string; cert: string }): Promise<Observed[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', INSTRUMENTED_CHILD],
      {
        cwd: path.resolve(__dirname, '../../..'),
        env: { ...process.env, REQUESTS: JSON.stringify(requests), TLS_KEY: tlsCredentials.key, TLS_CERT: tlsCredentials.cert },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`instrumented child failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Observed[]);
      },
    );
  });
}

let observed: Observed[];

beforeAll(async () => {
  observed = await observeWithInstrumentationHttp(cases.map(childRequest), await selfSignedCertificate());
});

describe('server span attributes', () => {
  test.each(cases.map((testCase, index) => ({ ...testCase, index })))('as instrumentation-http gives them for $title', testCase => {
    const { clientPort, attributes } = observed[testCase.index];
    // A response attribute, set when the response ends: not one of requestAttributes'.
    const { 'http.response.status_code': status, ...theirs } = attributes;
    expect(status).toBe(200);
    const defined = (all: Record<string, unknown>) => Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
    const ours = defined(requestAttributes({ ...factsOf(testCase), remotePort: clientPort }, testCase.scheme ?? 'http'));
    expect(ours).toEqual(theirs);
  });
});
