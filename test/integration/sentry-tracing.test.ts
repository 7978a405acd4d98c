/**
 * Sentry 11 with its own tracing on (`tracesSampleRate: 1`) under
 * `node -r ./register.js`, 24 concurrent requests that each call a
 * downstream loopback service with fetch and with http.get: every header the
 * downstream sees carries the request's one trace id (tracehop's), Sentry's
 * own spans and its events are in that trace, and the OTLP receiver gets one
 * server span per request and nothing of Sentry's. Both of Sentry's trace
 * lifecycles: spans streamed (its default) and whole transactions.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { listenOnLoopback } from '../support/ports';
import { startSentryReceiver } from '../support/sentry-receiver';
import type { SentryReceiver, SentrySpan } from '../support/sentry-receiver';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'sentry', 'tracing-app.js');
const REQUESTS = 24;
/** Requests that arrive with a `sentry-trace` and Sentry baggage of another trace: every fourth. */
const FOREIGN_TRACE = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';
const foreign = (n: number) => n % 4 === 3;

interface Seen {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** The trace ids a header value names: `traceparent`, `sentry-trace`, or `sentry-trace_id` in baggage. */
function traceIdsOf(headers: http.IncomingHttpHeaders): string[] {
  const ids: string[] = [];
  const traceparent = /^00-([0-9a-f]{32})-/.exec(String(headers.traceparent ?? ''));
  if (traceparent) ids.push(traceparent[1]);
  const sentryTrace = /^([0-9a-f]{32})-/.exec(String(headers['sentry-trace'] ?? ''));
  if (sentryTrace) ids.push(sentryTrace[1]);
  const baggage = /(?:^|,)\s*sentry-trace_id=([0-9a-f]{32})/.exec(String(headers.baggage ?? ''));
  if (baggage) ids.push(baggage[1]);
  return ids;
}

describe.each(['stream', 'static'])("Sentry's trace lifecycle %s", lifecycle => {
  let otlp: OtlpReceiver;
  let sentry: SentryReceiver;
  let downstream: http.Server;
  let app: Service;
  const seen: Seen[] = [];

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    sentry = await startSentryReceiver();
    downstream = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.end('ok');
    });
    const port = await listenOnLoopback(downstream);
    app = await startService('tracing-app', FIXTURE, {
      SENTRY_DSN: sentry.dsn,
      DOWNSTREAM_URL: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      TRACE_LIFECYCLE: lifecycle,
    });
    await Promise.all(
      Array.from({ length: REQUESTS }, (_, n) =>
        fetch(`${app.url}/?n=${n}`, {
          headers: foreign(n) ? { 'sentry-trace': `${FOREIGN_TRACE}-a0a0a0a0a0a0a0a0-1`, baggage: `sentry-trace_id=${FOREIGN_TRACE},sentry-sampled=true` } : {},
        }).then(response => response.text()),
      ),
    );
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    downstream?.closeAllConnections();
    await new Promise(resolve => downstream?.close(resolve));
    await sentry?.close();
    await otlp?.close();
  });

  test('each downstream call carries the one trace id pino logged, in traceparent, sentry-trace and baggage', async () => {
    expect(seen).toHaveLength(2 * REQUESTS);
    for (let n = 0; n < REQUESTS; n++) {
      const start = await app.waitForLine(line => line.msg === `start ${n}`, 5_000);
      expect(start.trace_id).toMatch(/^[0-9a-f]{32}$/);
      const calls = seen.filter(call => new URL(call.url, 'http://x').searchParams.get('n') === String(n));
      expect(calls.map(call => new URL(call.url, 'http://x').pathname).sort()).toEqual(['/fetch', '/http']);
      for (const call of calls) {
        expect(traceIdsOf(call.headers)).toEqual([start.trace_id, start.trace_id, start.trace_id]);
        expect(call.headers['x-request-id']).toBe(start.request_id);
      }
    }
  });

  test("events carry pino's trace id and the request, and the span of Sentry's that was active", async () => {
    const events = await sentry.waitForEvents(REQUESTS);
    const spans = await sentry.waitForSpans(all => all.filter(span => span.is_segment === true).length >= REQUESTS, 20_000);
    for (let n = 0; n < REQUESTS; n++) {
      const start = await app.waitForLine(line => line.msg === `start ${n}`, 5_000);
      const event = events.find(candidate => candidate.exception?.values?.[0]?.value === `boom ${n}`);
      expect(event?.contexts?.trace?.trace_id).toBe(start.trace_id);
      expect(event?.tags?.request_id).toBe(start.request_id);
      const segment = spans.find(span => span.is_segment === true && span.trace_id === start.trace_id);
      expect(event?.contexts?.trace?.span_id).toBe(segment?.span_id);
      // Nor a breadcrumb of tracehop's export, whichever request's context it ran in.
      expect(JSON.stringify(event?.breadcrumbs ?? [])).not.toContain(otlp.tracesUrl);
    }
  });

  test("Sentry's own spans of a request are in its trace: one server span, its calls beneath it, no parent from another trace", async () => {
    const spans = await sentry.waitForSpans(all => all.filter(span => span.is_segment === true).length >= REQUESTS, 20_000);
    const traceIds = new Set<string>();
    for (let n = 0; n < REQUESTS; n++) traceIds.add(String((await app.waitForLine(line => line.msg === `start ${n}`, 5_000)).trace_id));
    expect(spans.filter(span => !traceIds.has(span.trace_id))).toEqual([]);
    for (const traceId of traceIds) {
      const inTrace = spans.filter(span => span.trace_id === traceId);
      const segments = inTrace.filter(span => span.is_segment === true);
      expect(segments).toHaveLength(1);
      expect(segments[0].parent_span_id).toBeUndefined();
      const calls = inTrace.filter((span: SentrySpan) => span.is_segment !== true && span.name?.startsWith('GET'));
      expect(calls).toHaveLength(2);
      for (const call of calls) expect(call.parent_span_id).toBe(segments[0].span_id);
    }
    // tracehop's export requests run inside Sentry's suppressTracing: Sentry makes no span of them.
    expect(JSON.stringify(spans)).not.toContain(otlp.tracesUrl);
    // The foreign trace is kept only where Sentry records the request's headers as they came.
    expect(spans.filter(span => span.trace_id === FOREIGN_TRACE || span.parent_span_id === 'a0a0a0a0a0a0a0a0')).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain(FOREIGN_TRACE);
  });

  test('OTLP gets one server span per request and two client spans, none of them twice and none of Sentry', async () => {
    const traceIds = new Set<string>();
    for (let n = 0; n < REQUESTS; n++) traceIds.add(String((await app.waitForLine(line => line.msg === `start ${n}`, 5_000)).trace_id));
    const spans = await otlp.waitForSpans(
      all => all.filter(span => span.kind === 3).length >= 2 * REQUESTS && all.filter(span => span.kind === 2).length >= REQUESTS,
    );
    expect(spans.filter(span => span.traceId === undefined || !traceIds.has(span.traceId))).toEqual([]);
    expect(new Set(spans.map(span => span.spanId)).size).toBe(spans.length);
    for (const traceId of traceIds) {
      const inTrace = spans.filter(span => span.traceId === traceId);
      expect(inTrace.filter(span => span.kind === 2)).toHaveLength(1);
      expect(inTrace.filter(span => span.kind === 3)).toHaveLength(2);
    }
    expect(spans).toHaveLength(3 * REQUESTS);
    for (const headers of sentry.requestHeaders) {
      expect(headers.traceparent).toBeUndefined();
      expect(headers['sentry-trace']).toBeUndefined();
      expect(headers['x-request-id']).toBeUndefined();
    }
    expect(app.stderr).toBe('');
  });
});
