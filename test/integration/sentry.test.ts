/**
 * Sentry 11 as its users set it up (`Sentry.init({ dsn })`, tracing off),
 * under `node -r ./register.js` (and an ES module app under
 * `--import tracehop/register`), against a Sentry ingest and an OTLP
 * receiver on loopback: each event captured in a request carries that
 * request's trace and span ids, request id and chain, and its own pino
 * lines as breadcrumbs; Sentry's envelopes make no span and carry no headers.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installTracehopInTempDir } from '../support/installed-package';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startSentryReceiver } from '../support/sentry-receiver';
import type { SentryEvent, SentryReceiver } from '../support/sentry-receiver';
import { REGISTER, startService } from '../support/services';
import type { LogLine, Service, StartOptions } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sentry');
const REQUESTS = 50;
let otlp: OtlpReceiver;
// `--import tracehop/register` resolves its specifier from the working directory.
const installed = installTracehopInTempDir();

beforeAll(async () => {
  otlp = await startOtlpReceiver();
});
afterAll(async () => {
  await otlp.close();
  installed.remove();
});

/** The request number an event was captured for: `boom 7`, `message 7`. */
function numberOf(event: SentryEvent): string | undefined {
  const text = event.exception?.values?.[0]?.value ?? (typeof event.message === 'string' ? event.message : event.message?.formatted);
  return /^(?:boom|message) (\d+)$/.exec(text ?? '')?.[1];
}

/** The app's pino line `msg`: the event may arrive before the line is read from the app's stdout. */
function lineOf(app: Service, msg: string): Promise<LogLine> {
  return app.waitForLine(candidate => candidate.msg === msg, 5_000);
}

async function checkApp(script: string, modes: string[], urlOf: (base: string, n: number, mode: string) => string, options: StartOptions = {}): Promise<void> {
  const sentry: SentryReceiver = await startSentryReceiver();
  const app = await startService(
    script,
    path.join(FIXTURES, script),
    { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, OTEL_BSP_SCHEDULE_DELAY: '100' },
    options,
  );
  try {
    await Promise.all(Array.from({ length: REQUESTS }, (_, n) => fetch(urlOf(app.url, n, modes[n % modes.length])).then(response => response.text())));
    const events = await sentry.waitForEvents(REQUESTS + 1);
    const outside = events.filter(event => event.message === 'outside');
    expect(outside).toHaveLength(1);
    expect(outside[0].tags?.request_id).toBeUndefined();
    expect(outside[0].contexts?.tracehop).toBeUndefined();
    expect((outside[0].breadcrumbs ?? []).filter(crumb => crumb.category === 'pino')).toEqual([]);

    const seen = new Set<string>();
    const traceIds = new Set<string>();
    for (const event of events.filter(candidate => candidate !== outside[0])) {
      const n = numberOf(event);
      expect(n).toBeDefined();
      seen.add(n!);
      const start = await lineOf(app, `start ${n}`);
      expect(start.trace_id).toMatch(/^[0-9a-f]{32}$/);
      traceIds.add(String(start.trace_id));
      expect(event.contexts?.trace).toMatchObject({ trace_id: start.trace_id, span_id: start.span_id });
      expect(event.tags?.request_id).toBe(start.request_id);
      expect(event.contexts?.tracehop).toEqual({ request_id: start.request_id, request_chain: start.request_chain });
      const crumbs = (event.breadcrumbs ?? []).filter(crumb => crumb.category === 'pino');
      expect(crumbs.map(crumb => [crumb.level, crumb.message])).toEqual([
        ['info', `start ${n}`],
        ['warning', `middle ${n}`],
      ]);
      expect((await lineOf(app, `middle ${n}`)).trace_id).toBe(start.trace_id);
    }
    expect(seen.size).toBe(REQUESTS);
    expect(new Set(events.map(event => event.contexts?.trace?.trace_id)).size).toBe(REQUESTS + 1);

    // Sentry's own envelopes: no propagation headers, and no span.
    for (const headers of sentry.requestHeaders) {
      expect(headers.traceparent).toBeUndefined();
      expect(headers.baggage).toBeUndefined();
      expect(headers['x-request-id']).toBeUndefined();
      expect(headers['sentry-trace']).toBeUndefined();
    }
    const spans = await otlp.waitForSpans(
      all => all.filter(span => span.kind === 2 && span.traceId !== undefined && traceIds.has(span.traceId)).length >= REQUESTS,
    );
    expect(spans.filter(span => span.kind === 3)).toEqual([]);
    expect(app.stderr).toBe('');
  } finally {
    await app.stop();
    await sentry.close();
  }
}

test("a plain http app's captured exceptions and messages carry their request, 50 interleaved", async () => {
  await checkApp('http-app.js', ['capture', 'message'], (base, n, mode) => `${base}/?n=${n}&mode=${mode}`);
}, 60_000);

test("a CommonJS app under Sentry's --import ./instrument.mjs: two copies of @sentry/core (ES module and CommonJS) share scopes, and each line is one breadcrumb", async () => {
  const instrument = pathToFileURL(path.join(FIXTURES, 'esm-instrument.mjs')).href;
  await checkApp('http-app.js', ['capture', 'message'], (base, n, mode) => `${base}/?n=${n}&mode=${mode}`, {
    nodeArgs: ['-r', REGISTER, '--import', instrument],
  });
}, 60_000);

test("Sentry's --import ahead of tracehop's preload: one line on stderr says its events will not carry the request, and the order to use", async () => {
  const instrument = pathToFileURL(path.join(FIXTURES, 'esm-instrument.mjs')).href;
  const sentry = await startSentryReceiver();
  const app = await startService(
    'sentry-first',
    path.join(FIXTURES, 'http-app.js'),
    { SENTRY_DSN: sentry.dsn, OTEL_TRACES_EXPORTER: 'none' },
    // Both as --import, in this order (a -r preload would run before any --import, whatever the order given).
    { nodeArgs: ['--import', instrument, '--import', pathToFileURL(REGISTER).href] },
  );
  try {
    await fetch(`${app.url}/?n=0&mode=message`).then(response => response.text());
    await sentry.waitForEvents(1);
    const lines = app.stderr.split('\n').filter(line => line.includes('was loaded before tracehop started'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Sentry 11\.\d+\.\d+ was loaded before tracehop started.*--import tracehop\/register --import \.\/instrument\.mjs/);
  } finally {
    await app.stop();
    await sentry.close();
  }
}, 30_000);

test("an Express app's thrown, captured and messaged errors carry their request, 50 interleaved", async () => {
  await checkApp('express-app.js', ['throw', 'capture', 'message'], (base, n, mode) => `${base}/work/${n}?mode=${mode}`);
}, 60_000);

test("a Fastify app's thrown, captured and messaged errors carry their request (span id too, under Sentry's non-recording spans), 50 interleaved", async () => {
  await checkApp('fastify-app.js', ['throw', 'capture', 'message'], (base, n, mode) => `${base}/work/${n}?mode=${mode}`);
}, 60_000);

describe.each([
  ['Sentry.init in the app', []],
  ["Sentry.init in Sentry's own --import preload", ['--import', pathToFileURL(path.join(FIXTURES, 'esm-instrument.mjs')).href]],
])('an ES module app under --import tracehop/register, %s', (_title, sentryPreload) => {
  test('its captured exceptions and messages carry their request, 50 interleaved', async () => {
    const nodeArgs = ['--import', 'tracehop/register', ...sentryPreload];
    await checkApp('esm-app.mjs', ['capture', 'message'], (base, n, mode) => `${base}/?n=${n}&mode=${mode}`, { nodeArgs, cwd: installed.dir });
  }, 60_000);
});
