import { parseConfig } from '../../../../src/config';
import { diagnose, looksLikeBundledPino } from '../../../../src/cli/doctor/diagnose';
import { LOADER_ALREADY_GIVEN } from '../../../../src/runtime/module-hooks';
import type { Check, DiagnoseInput } from '../../../../src/cli/doctor/diagnose';
import { formatReport } from '../../../../src/cli/doctor/format-text';
import type { EndpointProbe } from '../../../../src/cli/doctor/probe-endpoint';
import type { AppRun } from '../../../../src/cli/doctor/run-app';
import type { ModuleLoad } from '../../../../src/introspection/hook-observer';
import { configFacts } from '../../../../src/introspection/startup-facts';
import type { StartupFacts } from '../../../../src/introspection/startup-facts';

const ENDPOINT = 'http://localhost:4318/v1/traces';

function facts(env: Record<string, string> = {}, overrides: Partial<StartupFacts> = {}): StartupFacts {
  const { config, warnings } = parseConfig(env, { entryScript: undefined, readFile: () => undefined });
  return {
    node: 'v24.22.3',
    pid: 42,
    entry: { path: '/srv/app/server.js', system: 'commonjs', reason: 'no "type": "module" in /srv/app/package.json' },
    esmHook: { state: 'registered', mode: 'in-thread', include: ['https', 'http', 'pino'] },
    instrumentations: [
      { name: '@opentelemetry/instrumentation-http', version: '0.223.0', modules: ['https', 'http'] },
      { name: '@opentelemetry/instrumentation-undici', version: '0.33.0', modules: [] },
      { name: 'tracehop-pino-hook', version: '1.0.0', modules: ['pino'] },
      { name: 'tracehop-bullmq-hook', version: '1.0.0', modules: ['bullmq'] },
    ],
    fetchChannelSubscribed: true,
    fastifyChannelSubscribed: true,
    loadedBefore: [],
    config: configFacts(config),
    warnings,
    ...overrides,
  };
}

const HOOKED: ModuleLoad[] = [
  { module: 'http', via: 'require', hooked: true },
  { module: 'pino', version: '10.4.0', via: 'require', hooked: true },
];

function appRun(overrides: Partial<AppRun> = {}): AppRun {
  return {
    command: ['--require', '/repo/register.js', '/srv/app/server.js'],
    started: facts(),
    loads: HOOKED,
    listening: { address: '127.0.0.1:3000', entryLoadedAs: 'commonjs', afterMs: 900 },
    outcome: 'listening',
    exit: { code: null, signal: 'SIGTERM' },
    killed: false,
    stderrTail: [],
    ...overrides,
  };
}

const answered: EndpointProbe = { url: ENDPOINT, answered: true, status: 200 };

function input(overrides: Partial<DiagnoseInput> = {}): DiagnoseInput {
  return { script: 'server.js', preload: 'require', timeoutMs: 10_000, run: appRun(), probe: answered, entrySource: 'require("pino")', ...overrides };
}

const subject = (checks: readonly Check[], name: string) => checks.find(check => check.subject === name);

describe('diagnose', () => {
  test('everything hooked and an answering endpoint: ok, exit 0', () => {
    const report = diagnose(input());
    expect(report.checks.filter(check => check.status === 'problem')).toEqual([]);
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    expect(subject(report.checks, 'pino')).toMatchObject({ status: 'ok', detail: '10.4.0 hooked by tracehop-pino-hook 1.0.0 (require)' });
    expect(subject(report.checks, 'https')).toMatchObject({ status: 'note' });
  });

  test.each<[string, Partial<DiagnoseInput>, string, RegExp]>([
    [
      'pino loaded before tracehop',
      { run: appRun({ started: facts({}, { loadedBefore: ['pino'] }) }) },
      'pino',
      /^10\.4\.0 was loaded before tracehop started .*later loads \(require\) were hooked, load tracehop first, or give those loggers tracehopMixin$/,
    ],
    [
      'a bullmq version the hook does not support',
      { run: appRun({ loads: [{ module: 'bullmq', version: '4.17.0', via: 'require', hooked: false }] }) },
      'bullmq',
      /^4\.17\.0 loaded via require but not hooked: the hook supports bullmq >=5\.0\.0 <7; its jobs carry no request \(inject and runWithCarrier still work\)$/,
    ],
    [
      'a pino version the hook does not support',
      { run: appRun({ loads: [{ module: 'pino', version: '6.14.0', via: 'require', hooked: false }] }) },
      'pino',
      /^6\.14\.0 loaded via require but not hooked: the hook supports pino >=7 <11; use tracehopMixin with this one$/,
    ],
    [
      "the app's supported pino hooked, a dependency's pino 6 not: the unhooked one is named",
      {
        run: appRun({
          loads: [
            { module: 'pino', version: '10.1.0', via: 'require', hooked: true },
            { module: 'pino', version: '6.14.0', via: 'require', hooked: false },
          ],
        }),
      },
      'pino',
      /^6\.14\.0 loaded via require but not hooked: the hook supports pino >=7 <11; use tracehopMixin with this one$/,
    ],
    [
      'a bundled pino without the mixin',
      { run: appRun({ loads: [] }), entrySource: 'Symbol("pino.setLevel"); Symbol("pino.serializers")' },
      'pino',
      /^bundled into the entry script, where no hook can reach it: give its loggers tracehopMixin, or mark pino external when bundling$/,
    ],
    [
      'http loaded but not hooked',
      { run: appRun({ loads: [{ module: 'http', via: 'import', hooked: false }] }) },
      'http',
      /^loaded via import but not hooked$/,
    ],
    [
      'an endpoint that refuses connections',
      { probe: { url: ENDPOINT, answered: false, error: 'ECONNREFUSED' } },
      'endpoint',
      /^http:\/\/localhost:4318\/v1\/traces does not answer \(ECONNREFUSED\): spans will be dropped$/,
    ],
    [
      'an endpoint that wants credentials',
      { probe: { url: ENDPOINT, answered: true, status: 401 } },
      'endpoint',
      /answers HTTP 401, so exports will fail: check OTEL_EXPORTER_OTLP_HEADERS$/,
    ],
    ['an endpoint at the wrong path', { probe: { url: ENDPOINT, answered: true, status: 404 } }, 'endpoint', /answers HTTP 404, .*: check the path/],
    [
      'an ES module app with the ESM hook off',
      {
        run: appRun({
          started: facts({}, { esmHook: { state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' } }),
          listening: { address: '127.0.0.1:1', entryLoadedAs: 'esm', afterMs: 1 },
        }),
      },
      'ESM hook',
      /^off \(TRACEHOP_ESM_HOOK=false\), and the app is an ES module: its imports of https, http, pino, bullmq are not hooked; set TRACEHOP_ESM_HOOK=true$/,
    ],
    ['fetch not subscribed', { run: appRun({ started: facts({}, { fetchChannelSubscribed: false }) }) }, 'fetch', /is not subscribed/],
    [
      'a rejected setting',
      { run: appRun({ started: facts({ OTEL_TRACES_SAMPLER: 'sometimes' }) }) },
      'setting',
      /^OTEL_TRACES_SAMPLER="sometimes" .*; using parentbased_always_on$/,
    ],
    [
      'an app that crashed before listening',
      { run: appRun({ outcome: 'exited', listening: undefined, exit: { code: 1, signal: null } }) },
      'run',
      /^exited by itself \(code 1\) before listening$/,
    ],
  ])('%s is a problem, exit 1', (_title, overrides, name, detail) => {
    const report = diagnose(input(overrides));
    expect(subject(report.checks, name)).toMatchObject({ status: 'problem', detail: expect.stringMatching(detail) });
    expect(report).toMatchObject({ ok: false, exitCode: 1 });
  });

  test.each<[string, Partial<DiagnoseInput>, string, RegExp]>([
    [
      'a bundled pino with the mixin',
      { run: appRun({ loads: [] }), entrySource: 'pino.setLevel pino.serializers tracehopMixin' },
      'pino',
      /its loggers use tracehopMixin$/,
    ],
    ['pino never loaded', { run: appRun({ loads: [] }) }, 'pino', /^not loaded while the doctor watched/],
    [
      'pino never loaded with the ESM hook off: imports were not watched',
      { run: appRun({ started: facts({}, { esmHook: { state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' } }), loads: [] }) },
      'pino',
      /^not loaded through require while the doctor watched \(imports are not watched with the ESM hook off\)$/,
    ],
    ['exporting turned off', { run: appRun({ started: facts({ OTEL_TRACES_EXPORTER: 'none' }) }), probe: undefined }, 'endpoint', /^OTEL_TRACES_EXPORTER=none/],
    [
      "hooks registered in the app's thread",
      { run: appRun({ started: facts({}, { esmHook: { state: 'registered', mode: 'in-thread', include: ['pino'] } }) }) },
      'ESM hook',
      /^registered in the app's thread \(module\.registerHooks\) for pino$/,
    ],
    [
      "hooks registered in Node's loader thread on an older patch release",
      { run: appRun({ started: facts({}, { esmHook: { state: 'registered', mode: 'loader-thread', include: ['pino'] } }) }) },
      'ESM hook',
      /^registered in Node's loader thread \(module\.register: Node [\d.]+ predates correct module\.registerHooks\) for pino$/,
    ],
    [
      'a CommonJS app with the ESM hook off',
      { run: appRun({ started: facts({}, { esmHook: { state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' } }) }) },
      'ESM hook',
      /^off \(TRACEHOP_ESM_HOOK=false\); the app is CommonJS/,
    ],
    [
      'an ES module app whose loader was given on the command line',
      {
        run: appRun({
          started: facts({}, { esmHook: { state: 'off', reason: LOADER_ALREADY_GIVEN } }),
          listening: { address: '127.0.0.1:1', entryLoadedAs: 'esm', afterMs: 1 },
        }),
      },
      'ESM hook',
      /serves the same hooks$/,
    ],
    [
      'the pino hook turned off',
      { run: appRun({ started: facts({ TRACEHOP_PINO_HOOK: 'false' }, { instrumentations: [] }) }) },
      'pino',
      /^hook off \(TRACEHOP_PINO_HOOK=false\)/,
    ],
    [
      'an app that never listened',
      { run: appRun({ outcome: 'timeout', listening: undefined }) },
      'run',
      /^did not listen within 10000 ms of tracehop starting/,
    ],
    [
      'express loaded and hooked',
      { run: appRun({ loads: [{ module: 'express', version: '5.1.0', via: 'require', hooked: true }] }) },
      'routes',
      /for express 5\.1\.0 \(Router hooked\)$/,
    ],
    [
      '@koa/router loaded and hooked',
      { run: appRun({ loads: [{ module: '@koa/router', version: '13.1.1', via: 'require', hooked: true }] }) },
      'routes',
      /for koa with @koa\/router 13\.1\.1 \(Router hooked\)$/,
    ],
    [
      '@hapi/hapi loaded and hooked',
      { run: appRun({ loads: [{ module: '@hapi/hapi', version: '21.4.0', via: 'require', hooked: true }] }) },
      'routes',
      /for hapi 21\.4\.0 \(server extension\)$/,
    ],
    [
      'hono loaded and hooked',
      { run: appRun({ loads: [{ module: 'hono', version: '4.13.23', via: 'import', hooked: true }] }) },
      'routes',
      /for hono 4\.13\.23 \(Hono hooked\)$/,
    ],
    [
      'fastify loaded with its channel subscribed',
      { run: appRun({ loads: [{ module: 'fastify', version: '4.29.1', via: 'require', hooked: undefined }] }) },
      'routes',
      /for fastify 4\.29\.1 \(fastify\.initialization\)$/,
    ],
    [
      'express loaded but not hooked',
      { run: appRun({ loads: [{ module: 'express', version: '6.0.0', via: 'require', hooked: false }] }) },
      'routes',
      /^no framework whose routes tracehop names was loaded/,
    ],
    ['no framework loaded', { run: appRun({ loads: [] }) }, 'routes', /named by method only$/],
    [
      'an app whose listening server the channel did not describe: what tracehop covers',
      { run: appRun({ loads: [] }) },
      'servers',
      /^no server listened while the doctor watched; tracehop covers http and https servers|^no server listened while the doctor watched; tracehop covers server spans/,
    ],
    [
      'an http server taking upgrades',
      { run: appRun({ listening: { address: '127.0.0.1:1', entryLoadedAs: 'commonjs', afterMs: 1, server: { kind: 'http', upgrades: true } } }) },
      'servers',
      /^listened with an http server taking upgrades \(WebSocket\): traced \(server spans and X-Request-ID/,
    ],
    [
      'an HTTP/2 server over TLS',
      { run: appRun({ listening: { address: '127.0.0.1:1', entryLoadedAs: 'esm', afterMs: 1, server: { kind: 'http2-secure', upgrades: false } } }) },
      'servers',
      /^listened with an HTTP\/2 server over TLS: traced/,
    ],
  ])('%s is a note, not a problem', (_title, overrides, name, detail) => {
    const report = diagnose(input(overrides));
    expect(subject(report.checks, name)).toMatchObject({ status: expect.stringMatching(/^(note|ok)$/), detail: expect.stringMatching(detail) });
    expect(report.exitCode).toBe(0);
  });

  describe('copies of @opentelemetry/api', () => {
    const withApiHook = facts(
      {},
      { instrumentations: [...facts().instrumentations, { name: 'tracehop-api-copies', version: '1.0.0', modules: ['@opentelemetry/api'] }] },
    );
    const api = (version: string, via: 'require' | 'import', apiCopy: ModuleLoad['apiCopy']): ModuleLoad => ({
      module: '@opentelemetry/api',
      version,
      via,
      hooked: undefined,
      apiCopy,
    });

    test.each<[string, ModuleLoad[], 'ok' | 'note' | 'problem', RegExp]>([
      [
        "the app's 1.9 and 1.10 both see tracehop's provider: ok, each listed",
        [api('1.10.0', 'require', 'tracehops-own'), api('1.9.1', 'require', 'sees-provider'), api('1.10.0', 'import', 'sees-provider')],
        'ok',
        /^1\.10\.0 \(require\): tracehop's own copy; 1\.9\.1 \(require\): sees tracehop's tracer provider; 1\.10\.0 \(import\): sees tracehop's tracer provider$/,
      ],
      [
        'a 1.11 copy does not: a problem naming it, and what to do',
        [api('1.9.1', 'require', 'sees-provider'), api('1.11.0', 'import', 'separate-provider')],
        'problem',
        /^1\.11\.0 \(import\) does not see tracehop's tracer provider: spans made through it are not recorded; use @opentelemetry\/api 1\.10 or older in the app \(copies loaded: 1\.9\.1 \(require\): sees .*; 1\.11\.0 \(import\): does NOT see .*\)$/,
      ],
      [
        'two copies that do not: both named',
        [api('1.11.0', 'require', 'separate-provider'), api('1.12.0', 'require', 'separate-provider')],
        'problem',
        /^1\.11\.0 \(require\), 1\.12\.0 \(require\) do not see tracehop's tracer provider: spans made through them are not recorded/,
      ],
      [
        'one copy loaded twice the same way is listed once',
        [api('1.9.1', 'require', 'sees-provider'), api('1.9.1', 'require', 'sees-provider')],
        'ok',
        /^1\.9\.1 \(require\): sees tracehop's tracer provider$/,
      ],
      ['no copy loaded while the doctor watched: a note', [], 'note', /^no copy loaded while the doctor watched$/],
    ])('%s', (_title, loads, status, detail) => {
      const report = diagnose(input({ run: appRun({ started: withApiHook, loads: [...HOOKED, ...loads] }) }));
      expect(subject(report.checks, '@opentelemetry/api')).toMatchObject({ status, detail: expect.stringMatching(detail) });
      expect(report.exitCode).toBe(status === 'problem' ? 1 : 0);
    });

    test('with no instrumentation hooking the API there is no check of its copies', () => {
      expect(subject(diagnose(input()).checks, '@opentelemetry/api')).toBeUndefined();
    });
  });

  test('an app where tracehop never reported cannot be examined: exit 2', () => {
    const report = diagnose(
      input({
        run: appRun({ started: undefined, outcome: 'exited', listening: undefined, exit: { code: 1, signal: null }, stderrTail: ['Error: boom'] }),
        probe: undefined,
      }),
    );
    expect(report).toMatchObject({ ok: false, exitCode: 2, stderrTail: ['Error: boom'] });
    expect(subject(report.checks, 'run')).toMatchObject({ status: 'problem', detail: 'the app exited (code 1) without tracehop starting in it' });
  });

  test('OTEL_SDK_DISABLED=true is reported, and nothing else is checked', () => {
    const report = diagnose(input({ run: appRun({ started: facts({ OTEL_SDK_DISABLED: 'true' }, { instrumentations: [] }) }), probe: undefined }));
    expect(report.checks.map(check => check.subject)).toEqual(['run', 'tracehop']);
    expect(report.exitCode).toBe(0);
  });
});

describe('looksLikeBundledPino', () => {
  test.each<[string, string | undefined, boolean]>([
    ["pino's symbol descriptions", 'var a=Symbol("pino.setLevel"),b=Symbol("pino.serializers")', true],
    ['a require of pino is not a bundle of it', 'const pino = require("pino")', false],
    ['an unreadable entry', undefined, false],
  ])('%s', (_title, source, expected) => {
    expect(looksLikeBundledPino(source)).toBe(expected);
  });
});

describe('formatReport', () => {
  test('problems are in capitals and counted on the last line; header values appear in neither the text nor the JSON', () => {
    const run = appRun({ started: facts({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret' }) });
    const report = diagnose(input({ run, probe: { url: ENDPOINT, answered: false, error: 'ECONNREFUSED' } }));
    expect(JSON.stringify(report)).not.toContain('s3cret');
    const text = formatReport(report);
    expect(text).toMatch(/^ {2}PROBLEM +endpoint +http:\/\/localhost:4318\/v1\/traces does not answer/m);
    expect(text).toMatch(/^ {2}export headers +api-key$/m);
    expect(text).not.toContain('s3cret');
    expect(text.trimEnd().split('\n').pop()).toBe('1 problem (the PROBLEM lines above)');
  });
});

test('an HTTP/2 server on a Node that publishes no http2.server.stream channels is a problem naming the Node', () => {
  const report = diagnose(
    input({
      run: appRun({
        started: facts({}, { node: 'v22.16.0' }),
        listening: { address: '127.0.0.1:1', entryLoadedAs: 'commonjs', afterMs: 1, server: { kind: 'http2', upgrades: false } },
      }),
    }),
  );
  expect(subject(report.checks, 'servers')).toMatchObject({
    status: 'problem',
    detail: expect.stringMatching(/Node v22\.16\.0 does not publish \(22\.17 or later does\): they go untraced$/),
  });
  expect(report.exitCode).toBe(1);
});

describe("the app's Sentry", () => {
  const withSentry = facts({}, { instrumentations: [...facts().instrumentations, { name: 'tracehop-sentry', version: '1.0.0', modules: ['@sentry/core'] }] });
  const sentry = (version: string, hooked: boolean): ModuleLoad => ({ module: '@sentry/core', version, via: 'require', hooked });
  const run = (loads: ModuleLoad[], seen?: { versions: string[]; initialised: boolean; tracing: boolean }) =>
    diagnose(
      input({
        run: appRun({
          started: withSentry,
          loads: [...HOOKED, ...loads],
          listening: { address: '127.0.0.1:1', entryLoadedAs: 'commonjs', afterMs: 1, sentry: seen },
        }),
      }),
    );

  test('Sentry 11 hooked: its version, and what its events carry, with the tag and level configured', () => {
    const report = run([sentry('11.12.0', true)], { versions: ['11.12.0'], initialised: true, tracing: false });
    expect(subject(report.checks, '@sentry/core')).toEqual({
      section: 'hooks',
      subject: '@sentry/core',
      status: 'ok',
      detail:
        '11.12.0 (require) hooked: events captured in a request carry its trace and span ids, the request id as the tag request_id and its pino lines at info and above as breadcrumbs',
    });
    expect(subject(report.checks, 'Sentry tracing')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^off/) });
    expect(report.exitCode).toBe(0);
  });

  test("Sentry 10 loaded: not hooked, its events keep Sentry's own trace ids, upgrade to 11; a problem", () => {
    const report = run([sentry('10.5.0', false)]);
    expect(subject(report.checks, '@sentry/core')).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(/^10\.5\.0 \(require\): not hooked .*Sentry's own trace ids.*; upgrade to Sentry 11$/),
    });
    expect(subject(report.checks, 'Sentry tracing')).toBeUndefined();
    expect(report.exitCode).toBe(1);
  });

  test('a Sentry 10 copy beside a hooked Sentry 11 is named, and so is the hooked one', () => {
    const detail = subject(run([sentry('11.12.0', true), sentry('10.5.0', false)]).checks, '@sentry/core')?.detail;
    expect(detail).toMatch(/^10\.5\.0 \(require\): not hooked .*; 11\.12\.0 \(require\) hooked: events captured/);
  });

  test("Sentry's tracing on: a warning that two tracers run and what tracehop does, not a problem", () => {
    const report = run([sentry('11.12.0', true)], { versions: ['11.12.0'], initialised: true, tracing: true });
    expect(subject(report.checks, 'Sentry tracing')).toMatchObject({
      status: 'warning',
      detail: expect.stringMatching(/^on \(tracesSampleRate or tracesSampler\): two tracers run.*carry one trace id/),
    });
    expect(report.exitCode).toBe(0);
    expect(formatReport(report)).toMatch(/^ {2}warning +Sentry tracing on /m);
  });

  test('Sentry.init not run by the time the app listened: said so', () => {
    const report = run([sentry('11.12.0', true)], { versions: ['11.12.0'], initialised: false, tracing: false });
    expect(subject(report.checks, 'Sentry tracing')).toMatchObject({ status: 'note', detail: expect.stringMatching(/^Sentry\.init had not run/) });
  });

  test('no Sentry loaded: a note, and no tracing line', () => {
    const report = run([]);
    expect(subject(report.checks, '@sentry/core')).toMatchObject({ status: 'note' });
    expect(subject(report.checks, 'Sentry tracing')).toBeUndefined();
  });
});
