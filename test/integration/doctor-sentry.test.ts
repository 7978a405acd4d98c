/**
 * `tracehop doctor` on apps that use Sentry 11 (`@sentry/node`), as users
 * run it (the package's bin): the `@sentry/core` line names the hooked copy
 * and what its events carry; the `Sentry tracing` line says whether Sentry's
 * own tracing is on, and warns, without failing, when two tracers run.
 */
import * as path from 'node:path';
import type { Check } from '../../src/cli/doctor/diagnose';
import { runDoctorCli } from '../support/doctor-cli';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startSentryReceiver } from '../support/sentry-receiver';
import type { SentryReceiver } from '../support/sentry-receiver';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sentry');
let otlp: OtlpReceiver;
let sentry: SentryReceiver;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  sentry = await startSentryReceiver();
});
afterAll(async () => {
  await sentry?.close();
  await otlp?.close();
});

function check(checks: readonly Check[], subject: string): Check | undefined {
  return checks.find(c => c.subject === subject);
}

test('Sentry 11 with its tracing off: hooked, its version and what its events carry; tracing off; exit 0', async () => {
  const { code, report } = await runDoctorCli(['--json', path.join(FIXTURES, 'http-app.js')], {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, SENTRY_DSN: sentry.dsn, TRACEHOP_SENTRY_REQUEST_ID_TAG: 'correlation_id' },
  });
  expect(check(report.checks, '@sentry/core')).toEqual({
    section: 'hooks',
    subject: '@sentry/core',
    status: 'ok',
    detail: expect.stringMatching(
      /^11\.\d+\.\d+ \(require\) hooked: events captured in a request carry its trace and span ids, the request id as the tag correlation_id and its pino lines at info and above as breadcrumbs$/,
    ),
  });
  expect(check(report.checks, 'Sentry tracing')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^off \(Sentry's default\)/) });
  expect(report.config).toMatchObject({ sentryRequestIdTag: 'correlation_id', sentryBreadcrumbLevel: 'info' });
  expect(report.checks.filter(c => c.status === 'problem')).toEqual([]);
  expect(code).toBe(0);
});

test('Sentry 11 with tracesSampleRate: a warning that two tracers run and what tracehop does, and still exit 0', async () => {
  const { code, stdout } = await runDoctorCli([path.join(FIXTURES, 'tracing-app.js')], {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, SENTRY_DSN: sentry.dsn, DOWNSTREAM_URL: 'http://127.0.0.1:9' },
  });
  expect(stdout).toMatch(/^ {2}ok +@sentry\/core 11\.\d+\.\d+ \(require\) hooked: events captured in a request carry its trace and span ids/m);
  expect(stdout).toMatch(
    /^ {2}warning +Sentry tracing on \(tracesSampleRate or tracesSampler\): two tracers run, .*tracehop starts Sentry's spans of each request in the request's trace/m,
  );
  expect(stdout).not.toContain('PROBLEM');
  expect(code).toBe(0);
});

test("Sentry's own --import ahead of tracehop's (--preload=import): @sentry/core loaded before tracehop is a problem, not 'not loaded'", async () => {
  const instrument = path.join(FIXTURES, 'esm-instrument.mjs');
  const { code, report } = await runDoctorCli(['--json', '--preload=import', '--import', instrument, path.join(FIXTURES, 'esm-app.mjs')], {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, SENTRY_DSN: sentry.dsn },
  });
  expect(check(report.checks, '@sentry/core')).toMatchObject({
    status: 'problem',
    detail: expect.stringMatching(/was loaded before tracehop started \(a preload ahead of it\).*load tracehop first/),
  });
  expect(code).not.toBe(0);
});
