import * as path from 'node:path';
import { parseConfig } from '../../../src/config';
import { configFacts, describeFacts, packagesLoadedBefore } from '../../../src/introspection/startup-facts';
import type { StartupFacts } from '../../../src/introspection/startup-facts';

const nm = (...parts: string[]) => path.join('/srv/app/node_modules', ...parts);

describe('packagesLoadedBefore', () => {
  test.each<[string, string[], string[], string[]]>([
    ['a package with a file in the cache', ['pino'], [nm('pino', 'pino.js')], ['pino']],
    ['a package nested in another one counts', ['pino'], [nm('fastify', 'node_modules', 'pino', 'pino.js')], ['pino']],
    ['a name that is only a prefix does not', ['pino'], [nm('pino-pretty', 'index.js')], []],
    ['a scoped package', ['@acme/log'], [nm('@acme', 'log', 'index.js')], ['@acme/log']],
    ['an empty cache', ['pino'], [], []],
    [
      "@opentelemetry/api never: tracehop's own copy is always loaded before",
      ['@opentelemetry/api', 'pino'],
      [nm('@opentelemetry', 'api', 'dist', 'index.cjs')],
      [],
    ],
  ])('%s', (_title, modules, cached, expected) => {
    expect(packagesLoadedBefore(modules, cached)).toEqual(expected);
  });

  test("@sentry/core when Sentry's global carrier is there (an ES module preload ahead of tracehop's), and not otherwise", () => {
    expect(packagesLoadedBefore(['pino', '@sentry/core'], [], true)).toEqual(['@sentry/core']);
    expect(packagesLoadedBefore(['pino', '@sentry/core'], [], false)).toEqual([]);
  });
});

describe('configFacts', () => {
  test('exporter headers are listed by name, never with their values', () => {
    const { config } = parseConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret' }, { entryScript: undefined, readFile: () => undefined });
    const facts = configFacts(config);
    expect(facts.exporterHeaderNames).toEqual(['api-key']);
    expect(JSON.stringify(facts)).not.toContain('s3cret');
  });

  test('the facts are the settings the doctor prints, in the order its --json has always listed them', () => {
    const { config } = parseConfig({}, { entryScript: undefined, readFile: () => undefined });
    expect(Object.keys(configFacts(config))).toEqual([
      'disabled',
      'serviceName',
      'serviceNameSource',
      'tracesExporters',
      'tracesEndpoint',
      'protocol',
      'exporterHeaderNames',
      'sampler',
      'samplerRatio',
      'propagators',
      'requestIdHeaders',
      'echoedRequestIdHeader',
      'ignorePaths',
      'pinoHook',
      'esmHook',
      'jobTrace',
      'sentryRequestIdTag',
      'sentryBreadcrumbLevel',
    ]);
  });

  test('request-id headers are listed lowercase, with the echoed one as configured', () => {
    const { config } = parseConfig({ TRACEHOP_REQUEST_ID_HEADERS: 'X-Req-Id,X-Correlation-ID' }, { entryScript: undefined, readFile: () => undefined });
    expect(configFacts(config)).toMatchObject({ requestIdHeaders: ['x-req-id', 'x-correlation-id'], echoedRequestIdHeader: 'X-Req-Id' });
  });
});

describe('describeFacts', () => {
  const { config } = parseConfig({}, { entryScript: undefined, readFile: () => undefined });
  const facts: StartupFacts = {
    node: 'v20.20.2',
    pid: 1,
    entry: { path: '/srv/app/server.mjs', system: 'esm', reason: '.mjs extension' },
    esmHook: { state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' },
    instrumentations: [
      { name: '@opentelemetry/instrumentation-undici', version: '0.33.0', modules: [] },
      { name: 'tracehop-fastify-routes', version: '1.0.0', modules: [] },
      { name: 'tracehop-pino-hook', version: '1.0.0', modules: ['pino'] },
    ],
    fetchChannelSubscribed: false,
    fastifyChannelSubscribed: true,
    loadedBefore: ['pino'],
    config: configFacts(config),
    warnings: [],
  };

  test('says what each part is, and what was loaded too early', () => {
    expect(describeFacts(facts)).toEqual([
      'entry point /srv/app/server.mjs: ES module (.mjs extension)',
      'ESM loader hook off: TRACEHOP_ESM_HOOK=false',
      '@opentelemetry/instrumentation-undici 0.33.0 listens on diagnostics channels (fetch NOT subscribed)',
      'tracehop-fastify-routes 1.0.0 listens on diagnostics channels (fastify.initialization subscribed)',
      'tracehop-pino-hook 1.0.0 hooks pino',
      'loaded before tracehop started, so not hooked for code that already holds them: pino',
    ]);
  });
});
