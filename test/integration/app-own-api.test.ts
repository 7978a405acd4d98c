/**
 * An app with its own copy of @opentelemetry/api under tracehop. Copies of
 * 1.9 and 1.10 see tracehop's globals: the app's manual span is a child of
 * the request's server span at a real OTLP receiver, its copy's
 * getActiveSpan() sees the request, and a pino line inside the manual span
 * carries that span's id, the request id and the chain. A copy newer than
 * tracehop's (1.11, fabricated from the 1.10 package) does not, and tracehop
 * says so on stderr once.
 *
 * Each copy is a real copy (not a link) in a temporary app directory, so
 * that Node loads it as a package of its own beside tracehop's.
 */
import http from 'node:http';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';
import { ownApiApp } from '../support/own-api-app';
import type { OwnApiApp } from '../support/own-api-app';

jest.setTimeout(60000);

// OTLP SpanKind.
const SERVER = 2;
const WARNING =
  /tracehop warn: the app loaded @opentelemetry\/api 1\.11\.0, which does not see tracehop's tracer provider .*use @opentelemetry\/api 1\.10 or older in the app/g;

function get(url: string, headers: Record<string, string>): Promise<http.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, res => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      })
      .on('error', reject);
  });
}

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

async function runApp(app: OwnApiApp, requestId: string): Promise<{ service: Service; line: LogLine; responseId: string }> {
  const service = await startService(`own-api-${app.version}`, app.script, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_BSP_SCHEDULE_DELAY: '50',
  });
  const headers = await get(`${service.url}/work`, { 'x-request-id': requestId });
  const responseId = String(headers['x-request-id']);
  const line = await service.waitForLine(l => l.msg === 'inside manual span' && l.request_id === responseId);
  return { service, line, responseId };
}

describe.each([
  ['1.9, pinned by the app', 'otel-api-19', /^1\.9\./],
  ['1.10, what npm installs today', '@opentelemetry/api', /^1\.10\./],
])("an app's own @opentelemetry/api %s", (_title, source, expectedVersion) => {
  let app: OwnApiApp;
  let service: Service | undefined;

  beforeAll(() => {
    app = ownApiApp(source);
  });

  afterAll(async () => {
    await service?.stop();
    app?.remove();
  });

  test(`its manual span is a child of the server span, its getActiveSpan() sees the request, and pino inside it carries the span and request (${source})`, async () => {
    expect(app.version).toMatch(expectedVersion);
    const requestId = `own-api-${app.version}`;
    const run = await runApp(app, requestId);
    service = run.service;
    const { line, responseId } = run;
    expect(responseId).toBe(requestId);
    expect(line.activeSpanDefined).toBe(true);
    expect(line.manualRecording).toBe(true);

    const isManual = (s: ReceivedSpan) => s.name === 'manual-work' && s.spanId === line.manualSpanId;
    const spans = await receiver.waitForSpans(all => all.some(isManual));
    const manual = spans.find(isManual)!;
    const server = spans.find(s => s.kind === SERVER && s.spanId === manual.parentSpanId);
    expect(server).toBeDefined();
    expect(server!.attributes['request.id']).toBe(requestId);
    expect(manual.traceId).toBe(server!.traceId);
    expect(manual.scope).toBe('app');

    expect(line.span_id).toBe(manual.spanId);
    expect(line.trace_id).toBe(manual.traceId);
    expect(line.request_id).toBe(responseId);
    // The chain is the incoming id plus this service's hop: the server span, not the manual one.
    expect(line.request_chain).toBe(`${requestId},${server!.spanId}`);
    expect(service.stderr).not.toMatch(WARNING);
  });
});

describe("an app's own @opentelemetry/api newer than tracehop's (1.11)", () => {
  let app: OwnApiApp;
  let service: Service | undefined;

  beforeAll(() => {
    app = ownApiApp('@opentelemetry/api', '1.11.0');
  });

  afterAll(async () => {
    await service?.stop();
    app?.remove();
  });

  test('its manual span does not record, and tracehop warns once on stderr, naming the version and what to do', async () => {
    const run = await runApp(app, 'own-api-newer');
    service = run.service;
    expect(run.line.manualRecording).toBe(false);
    expect(run.line.activeSpanDefined).toBe(false);
    // The app's copy has nothing to add, but tracehop's pino hook still carries the request's fields.
    expect(run.line.request_id).toBe('own-api-newer');
    const stderr = await service.waitForStderr(WARNING);
    expect(stderr.match(WARNING)).toHaveLength(1);
  });
});
