import { DiagLogLevel } from '@opentelemetry/api';
import { DEFAULT_LOG_FIELDS, DEFAULT_TRACES_ENDPOINT, appEntryScript, appEnvironment, parseConfig } from '../../../src/config';
import type { AppFacts, Config, Env } from '../../../src/config';

const files: Record<string, string> = {
  '/srv/app/package.json': JSON.stringify({ name: 'billing-api' }),
  '/srv/nameless/package.json': JSON.stringify({ version: '1.0.0' }),
  '/srv/broken/package.json': '{not json',
};
const app: AppFacts = { entryScript: '/srv/app/src/server.js', readFile: (file: string) => files[file], parentPid: 4242 };
const parse = (env: Env, facts = app) => parseConfig(env, facts);

describe('parseConfig defaults', () => {
  test('an empty environment gives the documented defaults and no warnings', () => {
    const { config, warnings } = parse({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject<Partial<Config>>({
      disabled: false,
      serviceName: 'billing-api',
      serviceNameSource: 'package.json',
      tracesExporters: ['otlp'],
      protocol: 'http/protobuf',
      tracesEndpoint: DEFAULT_TRACES_ENDPOINT,
      propagators: ['tracecontext', 'baggage'],
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      logLevel: DiagLogLevel.WARN,
      metricsRequested: false,
      logsRequested: false,
      requestIdHeaders: ['x-request-id', 'x-correlation-id'],
      requestIdHeader: 'X-Request-ID',
      ignorePaths: [],
      logFields: DEFAULT_LOG_FIELDS,
      pinoHook: true,
      shutdownTimeoutMillis: 5000,
    });
    expect(config.batch).toEqual({ maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

const PM2_CONTAINER_FORK = '/usr/lib/node_modules/pm2/lib/ProcessContainerFork.js';

describe("the app's entry script", () => {
  test.each<[string, string | undefined, Env, string | undefined]>([
    ['the script Node was given', '/srv/app/server.js', {}, '/srv/app/server.js'],
    ["PM2's fork container runs the app named in pm_exec_path", PM2_CONTAINER_FORK, { pm_exec_path: '/srv/app/server.mjs' }, '/srv/app/server.mjs'],
    ['so does its cluster container', '/opt/app/node_modules/pm2/lib/ProcessContainer.js', { pm_exec_path: '/srv/app/server.js' }, '/srv/app/server.js'],
    [
      'a process the PM2 app started inherits pm_exec_path, and keeps its own script',
      '/srv/app/worker.js',
      { pm_exec_path: '/srv/app/server.js' },
      '/srv/app/worker.js',
    ],
    ['the container without pm_exec_path stays what it is', PM2_CONTAINER_FORK, {}, PM2_CONTAINER_FORK],
    ['no script (a REPL, -e)', undefined, { pm_exec_path: '/srv/app/server.js' }, undefined],
  ])('%s', (_title, script, env, expected) => {
    expect(appEntryScript(script, env)).toBe(expected);
    expect(parse(env, { ...app, entryScript: script }).config.entryScript).toBe(expected);
  });
});

const PM2_CLUSTER_CONTAINER = '/usr/lib/node_modules/pm2/lib/ProcessContainer.js';

describe("PM2 cluster mode: the app's environment packed in pm2_env", () => {
  const packed = JSON.stringify({
    pm_exec_path: '/srv/app/src/server.js',
    OTEL_SERVICE_NAME: 'cards',
    TRACEHOP_ESM_HOOK: 'true',
    instances: 2,
    env: { nested: 'x' },
  });
  test.each<[string, string | undefined, Env, Env]>([
    [
      'under the cluster container, its string values are laid over the environment',
      PM2_CLUSTER_CONTAINER,
      { pm2_env: packed, HOME: '/root', OTEL_SERVICE_NAME: 'daemon' },
      { pm2_env: packed, HOME: '/root', pm_exec_path: '/srv/app/src/server.js', OTEL_SERVICE_NAME: 'cards', TRACEHOP_ESM_HOOK: 'true' },
    ],
    ['not under the container, pm2_env is only a variable', '/srv/app/worker.js', { pm2_env: packed }, { pm2_env: packed }],
    ['JSON that does not parse leaves the environment alone', PM2_CLUSTER_CONTAINER, { pm2_env: '{oops' }, { pm2_env: '{oops' }],
    ['JSON that is not an object leaves it alone', PM2_CLUSTER_CONTAINER, { pm2_env: '["a"]' }, { pm2_env: '["a"]' }],
    ['no pm2_env (fork mode) leaves it alone', PM2_CLUSTER_CONTAINER, { pm_exec_path: '/srv/app/server.js' }, { pm_exec_path: '/srv/app/server.js' }],
  ])('%s', (_title, script, env, expected) => {
    expect(appEnvironment(script, env)).toEqual(expected);
  });

  test('the settings, the entry script and the service name come from the app PM2 will run', () => {
    const { config, warnings } = parse({ pm2_env: packed }, { ...app, entryScript: PM2_CLUSTER_CONTAINER });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ entryScript: '/srv/app/src/server.js', esmHook: 'true', serviceName: 'cards', serviceNameSource: 'OTEL_SERVICE_NAME' });
    const unnamed = JSON.stringify({ pm_exec_path: '/srv/app/src/server.js' });
    expect(parse({ pm2_env: unnamed }, { ...app, entryScript: PM2_CLUSTER_CONTAINER }).config).toMatchObject({
      serviceName: 'billing-api',
      serviceNameSource: 'package.json',
    });
  });
});

describe('service.name', () => {
  test.each<[string, Env, AppFacts, string, string]>([
    ['OTEL_SERVICE_NAME wins', { OTEL_SERVICE_NAME: 'cards', OTEL_RESOURCE_ATTRIBUTES: 'service.name=other' }, app, 'cards', 'OTEL_SERVICE_NAME'],
    [
      'service.name in OTEL_RESOURCE_ATTRIBUTES comes next',
      { OTEL_RESOURCE_ATTRIBUTES: 'team=x,service.name=pay%20ments' },
      app,
      'pay ments',
      'OTEL_RESOURCE_ATTRIBUTES',
    ],
    ['then the nearest package.json with a name', {}, app, 'billing-api', 'package.json'],
    ['a package.json without a name is skipped', {}, { ...app, entryScript: '/srv/nameless/index.js' }, 'index', 'entry script'],
    ['a broken package.json is skipped', {}, { ...app, entryScript: '/srv/broken/worker.mjs' }, 'worker', 'entry script'],
    ['no entry script (a REPL) gives the specification fallback', {}, { ...app, entryScript: undefined }, 'unknown_service:node', 'default'],
    [
      "under PM2, the package.json of the app it runs, not PM2's",
      { pm_exec_path: '/srv/app/src/server.js' },
      { ...app, entryScript: PM2_CONTAINER_FORK },
      'billing-api',
      'package.json',
    ],
  ])('%s', (_title, env, facts, name, source) => {
    const { config } = parse(env, facts);
    expect(config.serviceName).toBe(name);
    expect(config.serviceNameSource).toBe(source);
  });
});

describe('standard variables', () => {
  test.each<[string, Env, Partial<Config>]>([
    ['OTEL_SDK_DISABLED=true turns tracehop off', { OTEL_SDK_DISABLED: 'TRUE' }, { disabled: true }],
    ['OTEL_TRACES_EXPORTER=none exports nothing', { OTEL_TRACES_EXPORTER: 'none' }, { tracesExporters: [] }],
    ['OTEL_TRACES_EXPORTER takes a list', { OTEL_TRACES_EXPORTER: 'otlp, console' }, { tracesExporters: ['otlp', 'console'] }],
    ['OTEL_EXPORTER_OTLP_PROTOCOL=http/json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, { protocol: 'http/json' }],
    [
      'http/json keeps 128-span batches: it is encoded in one piece',
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      { batch: { maxQueueSize: 2048, maxExportBatchSize: 128, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
    ],
    [
      'http/json with a batch size set uses it',
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '400' },
      { batch: { maxQueueSize: 2048, maxExportBatchSize: 400, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
    ],
    [
      'http/protobuf, the default, batches 512 spans',
      { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' },
      { batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
    ],
    [
      'the traces protocol wins over the general one',
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' },
      { protocol: 'http/protobuf' },
    ],
    [
      'OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' },
      { tracesEndpoint: 'http://collector:4318/v1/traces' },
    ],
    [
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom' },
      { tracesEndpoint: 'https://b/custom' },
    ],
    [
      'OTEL_EXPORTER_OTLP_HEADERS are decoded',
      { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x-tenant=acme' },
      { exporterHeaders: { 'api-key': 'a b', 'x-tenant': 'acme' } },
    ],
    [
      'the traces headers join the general ones and win per name',
      { OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2' },
      { exporterHeaders: { a: '1', b: '2' } },
    ],
    ['OTEL_PROPAGATORS=b3,baggage', { OTEL_PROPAGATORS: 'b3,baggage' }, { propagators: ['b3', 'baggage'] }],
    ['OTEL_PROPAGATORS=none', { OTEL_PROPAGATORS: 'none' }, { propagators: [] }],
    [
      'OTEL_TRACES_SAMPLER=traceidratio with its argument',
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' },
      { sampler: 'traceidratio', samplerRatio: 0.25 },
    ],
    ['OTEL_LOG_LEVEL=debug', { OTEL_LOG_LEVEL: 'debug' }, { logLevel: DiagLogLevel.DEBUG }],
    ['OTEL_METRICS_EXPORTER=otlp asks for metrics', { OTEL_METRICS_EXPORTER: 'otlp' }, { metricsRequested: true }],
    ['OTEL_LOGS_EXPORTER=none does not ask for logs', { OTEL_LOGS_EXPORTER: 'none' }, { logsRequested: false }],
    ['OTEL_NODE_RESOURCE_DETECTORS hands detection to the SDK', { OTEL_NODE_RESOURCE_DETECTORS: 'all' }, { resourceDetectorsFromEnv: true }],
    [
      'TRACEHOP_REQUEST_ID_HEADERS renames the header',
      { TRACEHOP_REQUEST_ID_HEADERS: 'X-Trace-Req' },
      { requestIdHeaders: ['x-trace-req'], requestIdHeader: 'X-Trace-Req' },
    ],
    ['TRACEHOP_IGNORE_PATHS lists paths', { TRACEHOP_IGNORE_PATHS: '/healthz, /ready*' }, { ignorePaths: ['/healthz', '/ready*'] }],
    [
      'TRACEHOP_LOG_FIELDS renames fields',
      { TRACEHOP_LOG_FIELDS: 'trace_id=traceId,request_id=reqId' },
      { logFields: { ...DEFAULT_LOG_FIELDS, traceId: 'traceId', requestId: 'reqId' } },
    ],
    [
      'TRACEHOP_LOG_FIELDS renames the job fields',
      { TRACEHOP_LOG_FIELDS: 'job_id=jobId,parent_job_id=parentJobId' },
      { logFields: { ...DEFAULT_LOG_FIELDS, jobId: 'jobId', parentJobId: 'parentJobId' } },
    ],
    ['TRACEHOP_JOB_TRACE=link', { TRACEHOP_JOB_TRACE: 'link' }, { jobTrace: 'link' }],
    ["jobs continue the producer's trace by default", {}, { jobTrace: 'child' }],
    ['TRACEHOP_PINO_HOOK=false turns the hook off', { TRACEHOP_PINO_HOOK: 'false' }, { pinoHook: false }],
    ['TRACEHOP_SHUTDOWN_TIMEOUT_MS', { TRACEHOP_SHUTDOWN_TIMEOUT_MS: '1500' }, { shutdownTimeoutMillis: 1500 }],
    ['the default propagation policy', {}, { propagateTo: ['loopback', 'private', 'local-names'] }],
    ['TRACEHOP_PROPAGATE_TO replaces the default', { TRACEHOP_PROPAGATE_TO: '.corp.example, 10.0.0.0/8' }, { propagateTo: ['.corp.example', '10.0.0.0/8'] }],
    [
      'TRACEHOP_SERVICE_DOMAIN adds its suffix',
      { TRACEHOP_SERVICE_DOMAIN: 'svc.cluster.local' },
      { propagateTo: ['loopback', 'private', 'local-names', '.svc.cluster.local'] },
    ],
    ['TRACEHOP_EDGE_MODE=true', { TRACEHOP_EDGE_MODE: 'true' }, { edgeMode: true }],
    ['our own server span, CORS exposing and Server-Timing by default', {}, { serverSpan: 'tracehop', corsExposeHeaders: true, serverTiming: true }],
    ['TRACEHOP_SERVER_SPAN=instrumentation-http', { TRACEHOP_SERVER_SPAN: 'instrumentation-http' }, { serverSpan: 'instrumentation-http' }],
    ['TRACEHOP_CORS_EXPOSE_HEADERS=false', { TRACEHOP_CORS_EXPOSE_HEADERS: 'false' }, { corsExposeHeaders: false }],
    ['TRACEHOP_SERVER_TIMING=false', { TRACEHOP_SERVER_TIMING: 'false' }, { serverTiming: false }],
    ['the ESM hook is on, no doctor pipe, by default', {}, { esmHook: 'true', doctorFd: undefined }],
    ['TRACEHOP_ESM_HOOK=false turns the ESM hook off', { TRACEHOP_ESM_HOOK: 'false' }, { esmHook: 'false' }],
    ['TRACEHOP_ESM_HOOK=TRUE always registers it', { TRACEHOP_ESM_HOOK: 'TRUE' }, { esmHook: 'true' }],
    ['new request ids are UUID v4 and error records become span events, by default', {}, { requestIdFormat: 'uuid4', logSpanEvents: 'error' }],
    ['TRACEHOP_REQUEST_ID_FORMAT=uuid7 makes time-ordered ids', { TRACEHOP_REQUEST_ID_FORMAT: 'UUID7' }, { requestIdFormat: 'uuid7' }],
    ['TRACEHOP_LOG_SPAN_EVENTS=none turns log span events off', { TRACEHOP_LOG_SPAN_EVENTS: 'none' }, { logSpanEvents: 'none' }],
    ['Sentry events get a request_id tag and info breadcrumbs by default', {}, { sentryRequestIdTag: 'request_id', sentryBreadcrumbLevel: 'info' }],
    ['TRACEHOP_SENTRY_REQUEST_ID_TAG renames the tag', { TRACEHOP_SENTRY_REQUEST_ID_TAG: 'correlation.id' }, { sentryRequestIdTag: 'correlation.id' }],
    ['TRACEHOP_SENTRY_BREADCRUMB_LEVEL=none turns the breadcrumbs off', { TRACEHOP_SENTRY_BREADCRUMB_LEVEL: 'none' }, { sentryBreadcrumbLevel: 'none' }],
    ['TRACEHOP_SENTRY_BREADCRUMB_LEVEL=WARN keeps warnings and above', { TRACEHOP_SENTRY_BREADCRUMB_LEVEL: 'WARN' }, { sentryBreadcrumbLevel: 'warn' }],
    ['TRACEHOP_LOG_SPAN_EVENTS=info also records the breadcrumbs', { TRACEHOP_LOG_SPAN_EVENTS: 'info' }, { logSpanEvents: 'info' }],
    [
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE is honoured above the default',
      { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' },
      { batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
    ],
    [
      'a queue smaller than the default batch makes the batch as small, without a warning',
      { OTEL_BSP_MAX_QUEUE_SIZE: '100' },
      { batch: { maxQueueSize: 100, maxExportBatchSize: 100, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
    ],
    ['the export timeout defaults to 10 s', {}, { exporterTimeout: { millis: 10000, variable: 'OTEL_EXPORTER_OTLP_TIMEOUT' } }],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', { OTEL_EXPORTER_OTLP_TIMEOUT: '2500' }, { exporterTimeout: { millis: 2500, variable: 'OTEL_EXPORTER_OTLP_TIMEOUT' } }],
    [
      'the exit hand-off gets the CA, TLS and proxy variables, nothing else',
      { NODE_EXTRA_CA_CERTS: '/ca.pem', HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost', NODE_OPTIONS: '-r x', PATH: '/bin', SECRET: 's' },
      { exportEnvironment: { NODE_EXTRA_CA_CERTS: '/ca.pem', HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost' } },
    ],
    [
      'the traces timeout wins over the general one',
      { OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' },
      { exporterTimeout: { millis: 700, variable: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT' } },
    ],
  ])('%s', (_title, env, expected) => {
    const { config, warnings } = parse(env);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject(expected);
  });
});

describe('the doctor pipe', () => {
  test.each<[string, Env, number | undefined, number | undefined]>([
    ['TRACEHOP_DOCTOR_FD names the pipe in the process the doctor started', { TRACEHOP_DOCTOR_FD: '3', TRACEHOP_DOCTOR_PID: '4242' }, 4242, 3],
    ['a process the app started (the doctor is not its parent) ignores it', { TRACEHOP_DOCTOR_FD: '3', TRACEHOP_DOCTOR_PID: '4242' }, 5000, undefined],
    ['the pipe without the doctor pid is ignored', { TRACEHOP_DOCTOR_FD: '3' }, 4242, undefined],
    ['the parent pid unknown: ignored', { TRACEHOP_DOCTOR_FD: '3', TRACEHOP_DOCTOR_PID: '4242' }, undefined, undefined],
  ])('%s', (_title, env, parentPid, doctorFd) => {
    const { config, warnings } = parse(env, { ...app, parentPid });
    expect(warnings).toEqual([]);
    expect(config.doctorFd).toBe(doctorFd);
  });
});

describe('invalid settings', () => {
  test.each<[string, Env, Partial<Config>, RegExp]>([
    ['a bad boolean', { OTEL_SDK_DISABLED: 'yes' }, { disabled: false }, /^OTEL_SDK_DISABLED="yes" is not true or false; using false$/],
    ['an unknown exporter', { OTEL_TRACES_EXPORTER: 'zipkin' }, { tracesExporters: ['otlp'] }, /^OTEL_TRACES_EXPORTER="zipkin" .*; using otlp$/],
    [
      'grpc, which tracehop does not ship',
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      { protocol: 'http/protobuf' },
      /^OTEL_EXPORTER_OTLP_PROTOCOL="grpc" .*; using http\/protobuf$/,
    ],
    [
      'an endpoint that is not a URL',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      { tracesEndpoint: DEFAULT_TRACES_ENDPOINT },
      /^OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" is not an http or https URL; using http:\/\/localhost:4318\/v1\/traces$/,
    ],
    [
      'an unknown sampler',
      { OTEL_TRACES_SAMPLER: 'sometimes' },
      { sampler: 'parentbased_always_on' },
      /^OTEL_TRACES_SAMPLER="sometimes" .*; using parentbased_always_on$/,
    ],
    ['a ratio above 1', { OTEL_TRACES_SAMPLER_ARG: '2' }, { samplerRatio: 1 }, /^OTEL_TRACES_SAMPLER_ARG="2" is not a number from 0 to 1; using 1$/],
    [
      'a negative queue size',
      { OTEL_BSP_MAX_QUEUE_SIZE: '-5' },
      { batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
      /^OTEL_BSP_MAX_QUEUE_SIZE="-5" .*; using 2048$/,
    ],
    [
      'a batch larger than the queue',
      { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' },
      { batch: { maxQueueSize: 100, maxExportBatchSize: 100, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 } },
      /^OTEL_BSP_MAX_EXPORT_BATCH_SIZE=512 is larger than OTEL_BSP_MAX_QUEUE_SIZE=100; using 100$/,
    ],
    ['an unknown log level', { OTEL_LOG_LEVEL: 'loud' }, { logLevel: DiagLogLevel.WARN }, /^OTEL_LOG_LEVEL="loud" .*; using warn$/],
    [
      'an unknown propagator',
      { OTEL_PROPAGATORS: 'tracecontext,xray' },
      { propagators: ['tracecontext'] },
      /^OTEL_PROPAGATORS="tracecontext,xray" .*; using tracecontext$/,
    ],
    [
      'a header name with a space',
      { TRACEHOP_REQUEST_ID_HEADERS: 'X Request' },
      { requestIdHeader: 'X-Request-ID' },
      /^TRACEHOP_REQUEST_ID_HEADERS="X Request" .*; using X-Request-ID,X-Correlation-ID$/,
    ],
    [
      'an ignore path without a slash',
      { TRACEHOP_IGNORE_PATHS: 'healthz,/ready' },
      { ignorePaths: ['/ready'] },
      /^TRACEHOP_IGNORE_PATHS="healthz,\/ready" .*; using \/ready$/,
    ],
    [
      'a log field name that is not a name',
      { TRACEHOP_LOG_FIELDS: 'trace_id=a b' },
      { logFields: DEFAULT_LOG_FIELDS },
      /^TRACEHOP_LOG_FIELDS="trace_id=a b" .*; using trace_id=trace_id,/,
    ],
    [
      'a policy entry that is not a host or range',
      { TRACEHOP_PROPAGATE_TO: 'loopback,10.0.0.0/99' },
      { propagateTo: ['loopback'] },
      /^TRACEHOP_PROPAGATE_TO="loopback,10.0.0.0\/99" .*; using loopback$/,
    ],
    [
      'a request id format that is not known',
      { TRACEHOP_REQUEST_ID_FORMAT: 'ulid' },
      { requestIdFormat: 'uuid4' },
      /^TRACEHOP_REQUEST_ID_FORMAT="ulid" is not one of uuid4, uuid7; using uuid4$/,
    ],
    [
      'a log span event level that is not a pino level',
      { TRACEHOP_LOG_SPAN_EVENTS: 'errors' },
      { logSpanEvents: 'error' },
      /^TRACEHOP_LOG_SPAN_EVENTS="errors" is not one of none, trace, debug, info, warn, error, fatal; using error$/,
    ],
    [
      'a Sentry tag key with a space',
      { TRACEHOP_SENTRY_REQUEST_ID_TAG: 'request id' },
      { sentryRequestIdTag: 'request_id' },
      /^TRACEHOP_SENTRY_REQUEST_ID_TAG="request id" is not a Sentry tag key .*; using request_id$/,
    ],
    [
      'a Sentry tag key longer than Sentry keeps',
      { TRACEHOP_SENTRY_REQUEST_ID_TAG: 'x'.repeat(33) },
      { sentryRequestIdTag: 'request_id' },
      /^TRACEHOP_SENTRY_REQUEST_ID_TAG=.* is not a Sentry tag key .*; using request_id$/,
    ],
    [
      'a Sentry breadcrumb level that is not a pino level',
      { TRACEHOP_SENTRY_BREADCRUMB_LEVEL: 'all' },
      { sentryBreadcrumbLevel: 'info' },
      /^TRACEHOP_SENTRY_BREADCRUMB_LEVEL="all" is not one of none, trace, debug, info, warn, error, fatal; using info$/,
    ],
    [
      'an ESM hook setting that is not known',
      { TRACEHOP_ESM_HOOK: 'off' },
      { esmHook: 'true' },
      /^TRACEHOP_ESM_HOOK="off" is not one of true, false; using true$/,
    ],
    [
      'auto, the default of 0.1, is gone: the hooks are always cheap now',
      { TRACEHOP_ESM_HOOK: 'auto' },
      { esmHook: 'true' },
      /^TRACEHOP_ESM_HOOK="auto" is not one of true, false; using true$/,
    ],
    [
      'a doctor pipe on stdout',
      { TRACEHOP_DOCTOR_FD: '1', TRACEHOP_DOCTOR_PID: '4242' },
      { doctorFd: undefined },
      /^TRACEHOP_DOCTOR_FD="1" is not a file descriptor of at least 3; using \(none\)$/,
    ],
    [
      'two log fields given one name',
      { TRACEHOP_LOG_FIELDS: 'trace_id=id,span_id=id' },
      { logFields: { ...DEFAULT_LOG_FIELDS, traceId: 'id' } },
      /^TRACEHOP_LOG_FIELDS="trace_id=id,span_id=id" .*; using trace_id=id,span_id=span_id,/,
    ],
    [
      'an unknown job trace mode',
      { TRACEHOP_JOB_TRACE: 'sibling' },
      { jobTrace: 'child' },
      /^TRACEHOP_JOB_TRACE="sibling" is not one of child, link; using child$/,
    ],
    [
      'a timeout that is not a number',
      { TRACEHOP_SHUTDOWN_TIMEOUT_MS: '5s' },
      { shutdownTimeoutMillis: 5000 },
      /^TRACEHOP_SHUTDOWN_TIMEOUT_MS="5s" .*; using 5000$/,
    ],
    [
      'a control character in a value is escaped',
      { OTEL_LOG_LEVEL: 'warn\nFAKE LINE' },
      { logLevel: DiagLogLevel.WARN },
      /^OTEL_LOG_LEVEL="warn\\nFAKE LINE" /,
    ],
  ])('%s gets one line naming the variable and the value used', (_title, env, expected, warning) => {
    const { config, warnings } = parse(env);
    expect(config).toMatchObject(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
    expect(warnings[0]).not.toContain('\n');
  });

  test('malformed exporter headers are reported without their values', () => {
    const { config, warnings } = parse({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret,broken,x=%E0%A4%A' });
    expect(config.exporterHeaders).toEqual({ 'api-key': 's3cret' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS has 2 malformed entries/);
    expect(warnings[0]).not.toContain('s3cret');
  });
});

describe('one warning per bad value, for every setting that warns', () => {
  // Every variable parseConfig can warn about, with a bad value. Generic
  // forms that a TRACES_ form overrides are not read while it is set, so
  // they sit in a second table, each tried on its own.
  const EVERY: Array<[string, string]> = [
    ['OTEL_SDK_DISABLED', 'yes'],
    ['OTEL_TRACES_EXPORTER', 'zipkin'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'collector:4318/v1/traces'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'broken'],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'broken'],
    ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'soon'],
    ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'brotli'],
    ['OTEL_PROPAGATORS', 'xray'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '2'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '-5'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '0'],
    ['OTEL_BSP_SCHEDULE_DELAY', 'later'],
    ['OTEL_BSP_EXPORT_TIMEOUT', '0'],
    ['OTEL_LOG_LEVEL', 'loud'],
    ['TRACEHOP_REQUEST_ID_HEADERS', 'X Request'],
    ['TRACEHOP_IGNORE_PATHS', 'healthz'],
    ['TRACEHOP_LOG_FIELDS', 'trace_id=a b'],
    ['TRACEHOP_PINO_HOOK', 'maybe'],
    ['TRACEHOP_SHUTDOWN_TIMEOUT_MS', '5s'],
    ['TRACEHOP_PROPAGATE_TO', '10.0.0.0/99'],
    ['TRACEHOP_SERVICE_DOMAIN', 'not a domain'],
    ['TRACEHOP_EDGE_MODE', 'maybe'],
    ['TRACEHOP_JOB_TRACE', 'sibling'],
    ['TRACEHOP_CORS_EXPOSE_HEADERS', 'maybe'],
    ['TRACEHOP_SERVER_TIMING', 'maybe'],
    ['TRACEHOP_SERVER_SPAN', 'both'],
    ['TRACEHOP_ESM_HOOK', 'off'],
    ['TRACEHOP_REQUEST_ID_FORMAT', 'ulid'],
    ['TRACEHOP_LOG_SPAN_EVENTS', 'errors'],
    ['TRACEHOP_DOCTOR_FD', '1'],
  ];
  const OVERRIDDEN: Array<[string, string]> = [
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', 'soon'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli'],
  ];
  // The doctor's pipe is only read in a process the doctor started.
  const withDoctor = (env: Record<string, string>) => ('TRACEHOP_DOCTOR_FD' in env ? { ...env, TRACEHOP_DOCTOR_PID: '4242' } : env);
  const naming = (warnings: readonly string[], variable: string) => warnings.filter(line => line.startsWith(`${variable}=`) || line.startsWith(`${variable} `));

  test.each([...EVERY, ...OVERRIDDEN])('%s=%j alone: exactly one line, naming it', (variable, value) => {
    const { warnings } = parse(withDoctor({ [variable]: value }));
    expect(warnings).toHaveLength(1);
    expect(naming(warnings, variable)).toHaveLength(1);
  });

  test('all of them bad at once: still exactly one line each, none repeated', () => {
    const { warnings } = parse(withDoctor(Object.fromEntries(EVERY)));
    for (const [variable] of EVERY) expect([variable, naming(warnings, variable).length]).toEqual([variable, 1]);
    expect(warnings).toHaveLength(EVERY.length);
    expect(new Set(warnings).size).toBe(warnings.length);
  });

  test('a bad traces endpoint over a bad generic one: one line each (the generic one was read twice)', () => {
    const { config, warnings } = parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'bad', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'worse' });
    expect(config.tracesEndpoint).toBe(DEFAULT_TRACES_ENDPOINT);
    expect(warnings).toEqual([
      `OTEL_EXPORTER_OTLP_ENDPOINT="bad" is not an http or https URL; using ${DEFAULT_TRACES_ENDPOINT}`,
      `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="worse" is not an http or https URL; using ${DEFAULT_TRACES_ENDPOINT}`,
    ]);
  });

  test('the derived rule (a batch larger than the queue) is one line too', () => {
    const { warnings } = parse({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' });
    expect(warnings).toHaveLength(1);
  });
});

describe('exporter compression and TLS files', () => {
  test('none set: no compression, no files', () => {
    expect(parse({}).config).toMatchObject({ compression: 'none', tlsFiles: {} });
  });

  test.each([
    [
      'the generic forms',
      {
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_CERTIFICATE: 'ca.pem',
        OTEL_EXPORTER_OTLP_CLIENT_KEY: 'c.key',
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: 'c.pem',
      },
      { compression: 'gzip', tlsFiles: { certificate: 'ca.pem', clientKey: 'c.key', clientCertificate: 'c.pem' } },
    ],
    [
      'the TRACES_ forms win, each on its own',
      {
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_CERTIFICATE: 'ca.pem',
        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: 'traces-ca.pem',
        OTEL_EXPORTER_OTLP_CLIENT_KEY: 'c.key',
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: 'traces-c.pem',
      },
      { compression: 'none', tlsFiles: { certificate: 'traces-ca.pem', clientKey: 'c.key', clientCertificate: 'traces-c.pem' } },
    ],
  ])('%s', (_title, env, expected) => {
    const { config, warnings } = parse(env);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject(expected);
  });

  test('an unknown compression: one line, and none used', () => {
    const { config, warnings } = parse({ OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' });
    expect(config.compression).toBe('none');
    expect(warnings).toEqual(['OTEL_EXPORTER_OTLP_COMPRESSION="brotli" is not one of gzip, none; using none']);
  });
});
