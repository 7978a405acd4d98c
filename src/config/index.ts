/**
 * tracehop's configuration: the standard OTEL_* variables first, then our own
 * TRACEHOP_* ones. This is the only module that reads `process.env`, but for
 * compile-cache.ts, which acts on one setting before the rest of tracehop loads.
 *
 * `parseConfig` is pure: it never throws, and for every invalid value it
 * returns one warning naming the variable, the rejected value (when it is
 * safe to show) and the value used instead.
 */
import { findServiceName } from './service-name';
import {
  BSP_DEFAULTS,
  JSON_BATCH_DEFAULT,
  DEFAULT_REQUEST_ID_HEADERS,
  DEFAULT_SHUTDOWN_TIMEOUT_MILLIS,
  DOCTOR_FD_VARIABLE,
  DOCTOR_PID_VARIABLE,
  HEADER_NAME,
} from './defaults';
import { appEntryScript, appEnvironment } from './app-entry';
import { EnvReader } from './env-reader';
import { COMPILE_CACHE_VARIABLE } from './compile-cache';

export {
  DEFAULT_EXPORTER_TIMEOUT_MILLIS,
  DEFAULT_LOG_FIELDS,
  DEFAULT_REQUEST_ID_HEADERS,
  DEFAULT_SHUTDOWN_TIMEOUT_MILLIS,
  DEFAULT_TRACES_ENDPOINT,
  DOCTOR_FD_VARIABLE,
  DOCTOR_PID_VARIABLE,
} from './defaults';
export { appEntryScript, appEnvironment } from './app-entry';

export type {
  Env,
  Protocol,
  TracesExporterName,
  PropagatorName,
  ServerSpanSource,
  EsmHookSetting,
  SamplerName,
  JobTraceMode,
  LogFieldNames,
  Config,
  AppFacts,
  ParsedConfig,
  TlsFiles,
} from './types';
import type { Env, Protocol, Config, AppFacts, ParsedConfig } from './types';

/** Builds the configuration from an environment. Pure, never throws. */
export function parseConfig(processEnv: Env, facts: AppFacts): ParsedConfig {
  const warnings: string[] = [];
  const env = appEnvironment(facts.entryScript, processEnv);
  const reader = new EnvReader(env, warnings);
  const app: AppFacts = { ...facts, entryScript: appEntryScript(facts.entryScript, env) };

  const serviceName = findServiceName(env, app);
  const tracesProtocolVar = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const requestIdHeaders = reader.list('TRACEHOP_REQUEST_ID_HEADERS', DEFAULT_REQUEST_ID_HEADERS, name => HEADER_NAME.test(name), 'HTTP header names');

  const protocol = reader.oneOf(tracesProtocolVar, ['http/protobuf', 'http/json'] as const, 'http/protobuf');

  const config: Config = {
    disabled: reader.boolean('OTEL_SDK_DISABLED', false),
    serviceName: serviceName.name,
    serviceNameSource: serviceName.source,
    tracesExporters: reader.tracesExporters(),
    protocol,
    tracesEndpoint: reader.tracesEndpoint(),
    // Both apply, as in the exporter: the traces-specific value wins per header name.
    exporterHeaders: { ...reader.headers('OTEL_EXPORTER_OTLP_HEADERS'), ...reader.headers('OTEL_EXPORTER_OTLP_TRACES_HEADERS') },
    propagators: reader.propagators(),
    sampler: reader.oneOf(
      'OTEL_TRACES_SAMPLER',
      ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const,
      'parentbased_always_on',
    ),
    samplerRatio: reader.ratio('OTEL_TRACES_SAMPLER_ARG', 1),
    batch: {
      maxQueueSize: reader.integer('OTEL_BSP_MAX_QUEUE_SIZE', BSP_DEFAULTS.maxQueueSize, 1),
      maxExportBatchSize: reader.integer('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', defaultBatchSize(protocol), 1),
      scheduledDelayMillis: reader.integer('OTEL_BSP_SCHEDULE_DELAY', BSP_DEFAULTS.scheduledDelayMillis, 0),
      exportTimeoutMillis: reader.integer('OTEL_BSP_EXPORT_TIMEOUT', BSP_DEFAULTS.exportTimeoutMillis, 1),
    },
    logLevel: reader.logLevel(),
    resourceDetectorsFromEnv: Boolean(env.OTEL_NODE_RESOURCE_DETECTORS?.trim()),
    metricsRequested: isRequested(env.OTEL_METRICS_EXPORTER),
    logsRequested: isRequested(env.OTEL_LOGS_EXPORTER),
    requestIdHeaders: requestIdHeaders.map(name => name.toLowerCase()),
    requestIdHeader: requestIdHeaders[0],
    ignorePaths: reader.list('TRACEHOP_IGNORE_PATHS', '', path => path.startsWith('/'), 'paths starting with "/"'),
    logFields: reader.logFields(),
    pinoHook: reader.boolean('TRACEHOP_PINO_HOOK', true),
    shutdownTimeoutMillis: reader.integer('TRACEHOP_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MILLIS, 0),
    propagateTo: reader.propagateTo(),
    edgeMode: reader.boolean('TRACEHOP_EDGE_MODE', false),
    jobTrace: reader.oneOf('TRACEHOP_JOB_TRACE', ['child', 'link'] as const, 'child'),
    corsExposeHeaders: reader.boolean('TRACEHOP_CORS_EXPOSE_HEADERS', true),
    serverTiming: reader.boolean('TRACEHOP_SERVER_TIMING', true),
    serverSpan: reader.oneOf('TRACEHOP_SERVER_SPAN', ['tracehop', 'instrumentation-http'] as const, 'tracehop'),
    esmHook: reader.oneOf('TRACEHOP_ESM_HOOK', ['true', 'false'] as const, 'true'),
    compileCache: reader.compileCache(COMPILE_CACHE_VARIABLE),
    entryScript: app.entryScript,
    requestIdFormat: reader.oneOf('TRACEHOP_REQUEST_ID_FORMAT', ['uuid4', 'uuid7'] as const, 'uuid4'),
    logSpanEvents: reader.oneOf('TRACEHOP_LOG_SPAN_EVENTS', ['none', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'error'),
    sentryRequestIdTag: reader.sentryTag('TRACEHOP_SENTRY_REQUEST_ID_TAG', 'request_id'),
    sentryBreadcrumbLevel: reader.oneOf('TRACEHOP_SENTRY_BREADCRUMB_LEVEL', ['none', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'info'),
    doctorFd: reader.doctorFd(app.parentPid),
    exporterTimeout: reader.exporterTimeout(),
    compression: reader.compression(),
    tlsFiles: reader.tlsFiles(),
    exportEnvironment: pick(env, EXPORT_ENVIRONMENT),
  };
  if (config.batch.maxExportBatchSize > config.batch.maxQueueSize) {
    // Only a batch size the user chose is worth a line; the default just follows a smaller queue.
    if (env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE?.trim())
      warnings.push(
        `OTEL_BSP_MAX_EXPORT_BATCH_SIZE=${config.batch.maxExportBatchSize} is larger than OTEL_BSP_MAX_QUEUE_SIZE=${config.batch.maxQueueSize}; using ${config.batch.maxQueueSize}`,
      );
    (config.batch as { maxExportBatchSize: number }).maxExportBatchSize = config.batch.maxQueueSize;
  }
  return { config: deepFreeze(config), warnings };
}

/**
 * The variables that decide how this process reaches a collector: its
 * certificate authorities, TLS verification and, for Node versions that
 * honour them, proxies. Nothing else of the environment (NODE_OPTIONS
 * least of all: it would preload tracehop and the app's preloads again)
 * reaches the exit hand-off's child.
 */
export const EXPORT_ENVIRONMENT: readonly string[] = [
  'NODE_EXTRA_CA_CERTS',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_USE_ENV_PROXY',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
];

function pick(env: Env, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

/** A set variable that is not `none` asks for that signal. */
function isRequested(value: string | undefined): boolean {
  const trimmed = value?.trim().toLowerCase();
  return Boolean(trimmed) && trimmed !== 'none';
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner !== null && typeof inner === 'object') deepFreeze(inner);
  }
  return Object.freeze(value);
}

/** Reads the configuration of this process. The one place that touches `process.env`. */
export function loadConfig(readFile: AppFacts['readFile'], inheritedServiceName?: string): ParsedConfig {
  return parseConfig(process.env, { entryScript: process.argv[1], readFile, inheritedServiceName, parentPid: process.ppid });
}

/**
 * Removes the doctor's variables from this process's environment once read,
 * so that the processes and worker threads the app starts do not inherit them.
 */
export function forgetDoctorChannel(): void {
  delete process.env[DOCTOR_FD_VARIABLE];
  delete process.env[DOCTOR_PID_VARIABLE];
}

/** The OTLP headers this process's environment gives the exporter, for the doctor's probe (never sent over the doctor's pipe). */
export function exporterHeadersFromEnvironment(): Readonly<Record<string, string>> {
  return parseConfig(process.env, { entryScript: undefined, readFile: () => undefined }).config.exporterHeaders;
}

/**
 * The environment for an app that `tracehop doctor` runs: this process's, so
 * the app sees the settings the user would give it, plus the doctor's pipe.
 */
export function doctorChildEnvironment(fd: number): Record<string, string | undefined> {
  return { ...process.env, [DOCTOR_FD_VARIABLE]: String(fd), [DOCTOR_PID_VARIABLE]: String(process.pid) };
}

/**
 * NO_COLOR (no-color.org): set to anything but the empty string, command-line
 * output has no colour. Read here because this is the one reader of process.env.
 */
export function noColorRequested(): boolean {
  return (process.env.NO_COLOR ?? '') !== '';
}

/** The default export batch: encoded in slices for http/protobuf, in one piece (so smaller) for http/json (defaults.ts). */
function defaultBatchSize(protocol: Protocol): number {
  return protocol === 'http/json' ? JSON_BATCH_DEFAULT : BSP_DEFAULTS.maxExportBatchSize;
}
