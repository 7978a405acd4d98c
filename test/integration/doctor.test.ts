/**
 * `tracehop doctor` run as users run it (the package's bin), against a
 * working app, an app whose pino was loaded before the preload, an app whose
 * OTLP endpoint is a closed loopback port, and apps that crash or never
 * listen: the report's content and the exit status.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Check } from '../../src/cli/doctor/diagnose';
import { runDoctorCli } from '../support/doctor-cli';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { ownApiApp } from '../support/own-api-app';
import { closedPort } from '../support/ports';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const MODULE_SYSTEMS = path.join(FIXTURES, 'module-systems');
const CARDS_ESM = path.join(__dirname, '..', '..', 'examples', 'lost-and-stolen', 'cards', 'server.mjs');

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

function check(checks: readonly Check[], subject: string): Check | undefined {
  return checks.find(c => c.subject === subject);
}

describe('tracehop doctor', () => {
  test('a working CommonJS app: every hook ok, the endpoint answers, the settings shown, exit 0', async () => {
    const { code, stdout, stderr } = await runDoctorCli([path.join(FIXTURES, 'server.js')], {
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_SERVICE_NAME: 'doctor-check', TRACEHOP_IGNORE_PATHS: '/healthz' },
    });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^ {2}entry point +CommonJS \(no "type": "module" in .*package\.json\)$/m);
    expect(stdout).toMatch(/^ {2}ok +run +listened on 127\.0\.0\.1:\d+ after \d+ ms; stopped by the doctor$/m);
    expect(stdout).toMatch(/^ {2}ok +http +hooked by @opentelemetry\/instrumentation-http [\d.]+ \(require\)$/m);
    expect(stdout).toMatch(/^ {2}ok +pino +\d+\.\d+\.\d+ hooked by tracehop-pino-hook [\d.]+ \(require\)$/m);
    expect(stdout).toMatch(/^ {2}ok +fetch +traced by @opentelemetry\/instrumentation-undici/m);
    expect(stdout).toMatch(/^ {2}ok +ESM hook +registered in the app's thread \(module\.registerHooks\) for /m);
    expect(stdout).toMatch(/^ {2}note +https +not loaded while the doctor watched \(not used, or loaded later\)$/m);
    expect(stdout).toMatch(/^ {2}service\.name +doctor-check \(from OTEL_SERVICE_NAME\)$/m);
    expect(stdout).toContain(`endpoint             ${receiver.tracesUrl} (http/protobuf)`);
    expect(stdout).toMatch(/^ {2}sampler +parentbased_always_on$/m);
    expect(stdout).toMatch(/^ {2}propagators +tracecontext, baggage$/m);
    expect(stdout).toMatch(/^ {2}request-id headers +x-request-id, x-correlation-id \(X-Request-ID echoed and sent on\)$/m);
    expect(stdout).toMatch(/^ {2}ignored paths +\/healthz$/m);
    expect(stdout).toMatch(/^ {2}ok +endpoint +http:\/\/127\.0\.0\.1:\d+\/v1\/traces answers \(HTTP 200\)$/m);
    expect(stdout).not.toContain('PROBLEM');
    expect(stdout.trimEnd().split('\n').pop()).toBe('everything the configuration asks for is working');
    expect(code).toBe(0);
  });

  test('an ES module app under --preload=import, as JSON: imports of http and pino hooked through the loader', async () => {
    const { code, report } = await runDoctorCli(['--json', '--preload=import', CARDS_ESM], {
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl },
    });
    expect(report.command).toEqual(expect.arrayContaining(['--import', CARDS_ESM]));
    expect(report.entry).toMatchObject({ system: 'esm', reason: '.mjs extension', loadedAs: 'esm' });
    expect(report.esmHook).toEqual({ state: 'registered', mode: 'in-thread', include: expect.arrayContaining(['http', 'https', 'pino']) });
    expect(report.loads).toEqual(
      expect.arrayContaining([
        { module: 'http', via: 'import', hooked: true },
        { module: 'pino', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), via: 'import', hooked: true },
      ]),
    );
    expect(report.config).toMatchObject({ serviceName: 'cards', serviceNameSource: 'package.json', protocol: 'http/protobuf' });
    expect(report.checks.filter(c => c.status === 'problem')).toEqual([]);
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    expect(code).toBe(0);
  });

  test('an ES module app whose CommonJS dependency required http first: named imports propagate, and no problem is reported', async () => {
    const { code, report } = await runDoctorCli(['--json', path.join(MODULE_SYSTEMS, 'esm-named-http.mjs')], {
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl },
    });
    expect(report.loads).toEqual(
      expect.arrayContaining([
        { module: 'http', via: 'require', hooked: true },
        { module: 'http', via: 'import', hooked: true },
        { module: 'https', via: 'import', hooked: true },
      ]),
    );
    expect(report.checks.filter(c => c.status === 'problem')).toEqual([]);
    expect(code).toBe(0);
  });

  test.each([
    ['with the environment the app has', {}],
    ['even when the app hands the variable on itself', { TRACEHOP_DOCTOR_FD: '3' }],
  ])("the app's own child node processes do not report to the doctor, %s", async (_title, childEnv) => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'tracehop-doctor-')), 'child-fd3.txt');
    const { code, stdout } = await runDoctorCli(['--json', path.join(FIXTURES, 'spawns-node-child.js')], {
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret-value-123',
        FIXTURE_OUT: out,
        FIXTURE_CHILD_ENV: JSON.stringify(childEnv),
      },
    });
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('');
    rmSync(path.dirname(out), { recursive: true, force: true });
    // The report names the header, never its value.
    expect(stdout).toContain('api-key');
    expect(stdout).not.toContain('secret-value-123');
  });

  test.each<[string, string, string | undefined, { status: string; detail: RegExp }, number]>([
    [
      "an app's own @opentelemetry/api 1.9 sees tracehop's provider: ok",
      'otel-api-19',
      undefined,
      { status: 'ok', detail: /^1\.9\.\d+ \(require\): sees tracehop's tracer provider/ },
      0,
    ],
    [
      "an app's own @opentelemetry/api 1.11 does not: a problem naming it, exit 1",
      '@opentelemetry/api',
      '1.11.0',
      {
        status: 'problem',
        detail:
          // The app requires the API, then imports it: two copies (its CommonJS and ES module builds), each named.
          /^1\.11\.0 \(require\), 1\.11\.0 \(import\) do not see tracehop's tracer provider: spans made through them are not recorded; use @opentelemetry\/api 1\.10 or older in the app/,
      },
      1,
    ],
  ])('%s', async (_title, source, version, expected, expectedCode) => {
    const app = ownApiApp(source, version);
    try {
      const { code, report } = await runDoctorCli(['--json', app.script], { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl } });
      expect(check(report.checks, '@opentelemetry/api')).toMatchObject({ status: expected.status, detail: expect.stringMatching(expected.detail) });
      expect(code).toBe(expectedCode);
    } finally {
      app.remove();
    }
  });

  test('pino loaded by a preload ahead of tracehop is a problem, with the way out, exit 1', async () => {
    const { code, report } = await runDoctorCli(
      ['--json', '-r', path.join(MODULE_SYSTEMS, 'pino-first.js'), path.join(MODULE_SYSTEMS, 'early-logger-app.js')],
      {
        env: { OTEL_TRACES_EXPORTER: 'none' },
      },
    );
    expect(report.command.slice(0, 2)).toEqual(['--require', path.join(MODULE_SYSTEMS, 'pino-first.js')]);
    expect(check(report.checks, 'pino')).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(/was loaded before tracehop started .*load tracehop first, or give those loggers tracehopMixin$/),
    });
    expect(check(report.checks, 'http')).toMatchObject({ status: 'ok' });
    expect(report.checks.filter(c => c.status === 'problem')).toHaveLength(1);
    expect(code).toBe(1);
  });

  test('an OTLP endpoint on a closed loopback port is a problem naming the connection error, exit 1', async () => {
    const port = await closedPort();
    const { code, stdout } = await runDoctorCli([path.join(FIXTURES, 'server.js')], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    expect(stdout).toContain(`PROBLEM  endpoint   http://127.0.0.1:${port}/v1/traces does not answer (ECONNREFUSED): spans will be dropped`);
    expect(stdout).toMatch(/^ {2}ok +pino /m);
    expect(stdout.trimEnd().split('\n').pop()).toBe('1 problem (the PROBLEM lines above)');
    expect(code).toBe(1);
  });

  test('an invalid setting is a problem naming the variable and the value used', async () => {
    const { code, report } = await runDoctorCli(['--json', path.join(FIXTURES, 'server.js')], {
      env: { OTEL_TRACES_EXPORTER: 'none', OTEL_TRACES_SAMPLER: 'sometimes' },
    });
    expect(report.checks).toContainEqual({
      section: 'configuration',
      subject: 'setting',
      status: 'problem',
      detail: expect.stringMatching(/^OTEL_TRACES_SAMPLER="sometimes" .*; using parentbased_always_on$/),
    });
    expect(code).toBe(1);
  });

  test('an app that crashes while starting is a problem, with its last stderr lines', async () => {
    const { code, stdout } = await runDoctorCli([path.join(MODULE_SYSTEMS, 'crashes-on-start.js')], { env: { OTEL_TRACES_EXPORTER: 'none' } });
    expect(stdout).toMatch(/^ {2}PROBLEM +run +exited by itself \(code 1\) before listening$/m);
    expect(stdout).toContain('fixture: missing DATABASE_URL');
    expect(code).toBe(1);
  });

  test('an app that never listens is stopped after --timeout, with SIGTERM, and that alone is no problem', async () => {
    const { code, report } = await runDoctorCli(['--json', '--timeout=4000', path.join(MODULE_SYSTEMS, 'never-listens.js')], {
      env: { OTEL_TRACES_EXPORTER: 'none' },
    });
    expect(report.run).toMatchObject({ outcome: 'timeout', exit: { code: null, signal: 'SIGTERM' }, killed: false });
    expect(check(report.checks, 'run')).toMatchObject({ status: 'note', detail: expect.stringContaining('did not listen within 4000 ms') });
    expect(check(report.checks, 'pino')).toMatchObject({ status: 'ok' });
    expect(code).toBe(0);
  });

  test.each([
    ['no script', [], /no script to examine/],
    ['a script that does not exist', ['no-such-app.js'], /no such file: no-such-app\.js/],
    ['an unknown option', ['--colour', 'app.js'], /unknown option --colour/],
  ])('%s is a usage error, exit 2', async (_title, args, message) => {
    const { code, stdout, stderr } = await runDoctorCli(args);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
