/**
 * Crashes Sentry 11 reports on the way down, and a rejection it reports as
 * it warns, in a plain http app under `node -r ./register.js`, with no
 * error handler of the app's own: the event carries the request it came
 * from (trace and span ids as pino logged them, request id tag, chain, the
 * request's lines as breadcrumbs), the process exits as the same app exits
 * without tracehop, and the request's server span still reaches OTLP.
 */
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startSentryReceiver } from '../support/sentry-receiver';
import type { SentryEvent, SentryReceiver } from '../support/sentry-receiver';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'sentry', 'crash-app.js');
/** Requests in flight beside the one that fails, each logging its own lines. */
const OTHERS = 20;
let otlp: OtlpReceiver;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
});
afterAll(() => otlp.close());

interface Run {
  readonly app: Service;
  readonly sentry: SentryReceiver;
}

async function run(name: string, traced: boolean): Promise<Run> {
  const sentry = await startSentryReceiver();
  const env = { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, OTEL_BSP_SCHEDULE_DELAY: '100' };
  try {
    return { app: await startService(name, APP, env, traced ? {} : { nodeArgs: [] }), sentry };
  } catch (error) {
    await sentry.close();
    throw error;
  }
}

/** The requests beside the failing one, whose answers may be cut short by the crash. */
function others(app: Service): Promise<unknown> {
  return Promise.all(
    Array.from({ length: OTHERS }, (_, n) =>
      fetch(`${app.url}/work?n=${n}`).then(
        response => response.text(),
        () => 'cut',
      ),
    ),
  );
}

function expectRequestOf(event: SentryEvent, start: LogLine): void {
  expect(start.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(event.contexts?.trace).toMatchObject({ trace_id: start.trace_id, span_id: start.span_id });
  expect(event.tags?.request_id).toBe(start.request_id);
  expect(event.contexts?.tracehop).toEqual({ request_id: start.request_id, request_chain: start.request_chain });
  const n = /(\d+)$/.exec(String(start.msg))?.[1];
  expect((event.breadcrumbs ?? []).filter(crumb => crumb.category === 'pino').map(crumb => [crumb.level, crumb.message])).toEqual([
    ['info', `start ${n}`],
    ['warning', `middle ${n}`],
  ]);
}

describe.each(['sync', 'timer'])('an uncaught exception in a request handler (%s), which Sentry reports as the process goes down', how => {
  async function crash(traced: boolean): Promise<Run & { exit: { code: number | null; signal: NodeJS.Signals | null }; event: SentryEvent }> {
    const { app, sentry } = await run(`crash-${how}${traced ? '' : '-untraced'}`, traced);
    try {
      const beside = others(app);
      await app.waitForLine(line => line.msg === `start ${OTHERS - 1}`);
      const failed = fetch(`${app.url}/crash?n=99&how=${how}`).then(
        () => 'answered',
        () => 'cut',
      );
      const exit = await app.exited;
      expect(await failed).toBe('cut');
      await beside;
      const [event] = await sentry.waitForEvents(1);
      return { app, sentry, exit, event };
    } finally {
      await app.stop();
      await sentry.close();
    }
  }

  test('the event carries the request, the exit is as without tracehop, and the server span is exported', async () => {
    const untraced = await crash(false);
    expect(untraced.event.exception?.values?.[0]?.value).toBe('crash 99');
    const traced = await crash(true);
    expect(traced.exit).toEqual(untraced.exit);
    expect(traced.exit.code).toBe(1);
    expect(traced.sentry.events).toHaveLength(1);
    expect(traced.event.exception?.values?.[0]?.value).toBe('crash 99');
    expect(traced.event.level).toBe('fatal');
    const start = await traced.app.waitForLine(line => line.msg === 'start 99');
    expectRequestOf(traced.event, start);
    const isServerSpan = (span: { kind: number; traceId: string }) => span.kind === 2 && span.traceId === start.trace_id;
    const server = (await otlp.waitForSpans(spans => spans.some(isServerSpan))).find(isServerSpan)!;
    expect(server.spanId).toBe(start.span_id);
    expect(server.statusCode).toBe(2);
    expect(server.events.map(event => event.name)).toContain('exception');
  }, 60_000);
});

test('an unhandled rejection in a request, which Sentry reports as it warns, carries the request and the app goes on', async () => {
  const { app, sentry } = await run('reject', true);
  try {
    const beside = others(app);
    await app.waitForLine(line => line.msg === `start ${OTHERS - 1}`);
    expect(await (await fetch(`${app.url}/reject?n=77`)).text()).toBe('ok');
    await beside;
    const [event] = await sentry.waitForEvents(1);
    expect(event.exception?.values?.[0]?.value).toBe('rejected 77');
    expect(event.level).toBe('error');
    expectRequestOf(event, await app.waitForLine(line => line.msg === 'start 77'));
    expect(await (await fetch(`${app.url}/work?n=1`)).text()).toBe('ok');
  } finally {
    await app.stop();
    await sentry.close();
  }
}, 60_000);
