/**
 * tracehop's configuration: the standard OTEL_* variables first, then our own
 * TRACEHOP_* ones. This is the only module that reads `process.env`.
 *
 * `parseConfig` is pure: it never throws, and for every invalid value it
 * returns one warning naming the variable, the rejected value (when it is
 * safe to show) and the value used instead.
 */
import { DiagLogLevel } from '@opentelemetry/api';
import { parseDiagLogLevel } from './diag';
import { findServiceName } from './service-name';
import { DEFAULT_PROPAGATE_TO, isPolicyEntry } from './propagation/destination-policy';
import type { ServiceNameSource } from './service-name';

export type Env = Readonly<Record<string, string | undefined>>;
export type Protocol = 'http/protobuf' | 'http/json';
export type TracesExporterName = 'otlp' | 'console';
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger';
export type ServerSpanSource = 'tracehop' | 'instrumentation-http';
export type SamplerName =
  | 'always_on' | 'always_off' | 'traceidratio'
  | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

/** The names of the fields that the pino hook adds to each record. */
/** How a job's trace relates to the trace that queued it. */
export type JobTraceMode = 'child' | 'link';

export interface LogFieldNames {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: string;
  readonly requestId: string;
  readonly requestChain: string;
  /** The running job's id (BullMQ's, or the one given to runWithCarrier). */
  readonly jobId: string;
  /** The id of the job whose processor queued the running job. */
  readonly parentJobId: string;
}

export interface Config {
  /** OTEL_SDK_DISABLED: tracehop does nothing at all. */
  readonly disabled: boolean;
  readonly serviceName: string;
  readonly serviceNameSource: ServiceNameSource;
  /** OTEL_TRACES_EXPORTER; empty for `none`. */
  readonly tracesExporters: readonly TracesExporterName[];
  readonly protocol: Protocol;
  /** The full OTLP/HTTP traces URL, `/v1/traces` included. */
  readonly tracesEndpoint: string;
  readonly exporterHeaders: Readonly<Record<string, string>>;
  readonly propagators: readonly PropagatorName[];
  readonly sampler: SamplerName;
  readonly samplerRatio: number;
  readonly batch: {
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
  };
  readonly logLevel: DiagLogLevel;
  /** OTEL_NODE_RESOURCE_DETECTORS was set: the SDK picks detectors from it. */
  readonly resourceDetectorsFromEnv: boolean;
  /** OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER were set: the SDK builds those pipelines from them. */
  readonly metricsRequested: boolean;
  readonly logsRequested: boolean;
  /** Request-id header names, lowercase, in order of preference; the first is echoed and propagated. */
  readonly requestIdHeaders: readonly string[];
  /** The first request-id header name as the user wrote it, for response and outgoing headers. */
  readonly requestIdHeader: string;
  readonly ignorePaths: readonly string[];
  readonly logFields: LogFieldNames;
  readonly pinoHook: boolean;
  readonly shutdownTimeoutMillis: number;
  /** TRACEHOP_PROPAGATE_TO (plus TRACEHOP_SERVICE_DOMAIN): who may receive our headers. */
  readonly propagateTo: readonly string[];
  /** TRACEHOP_EDGE_MODE: incoming ids and baggage from clients are not trusted. */
  readonly edgeMode: boolean;
  /** TRACEHOP_REQUEST_ID_FORMAT: how new request ids are made, `uuid4` (random) or `uuid7` (time-ordered). */
  readonly requestIdFormat: 'uuid4' | 'uuid7';
  /** TRACEHOP_LOG_SPAN_EVENTS: the lowest pino level whose records become events on the active span; `none` for off. */
  readonly logSpanEvents: 'none' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** TRACEHOP_SERVER_SPAN: `tracehop` (our own, from Node's diagnostics channel) or `instrumentation-http`'s. */
  readonly serverSpan: ServerSpanSource;
  /** TRACEHOP_CORS_EXPOSE_HEADERS: add our response headers to Access-Control-Expose-Headers when a request has an Origin. */
  readonly corsExposeHeaders: boolean;
  /** TRACEHOP_SERVER_TIMING: answer with `Server-Timing: traceparent;desc="..."`. */
  readonly serverTiming: boolean;
  /** TRACEHOP_ESM_HOOK: register the module loader hook that instruments `import`. */
  readonly esmHook: boolean;
  /** TRACEHOP_JOB_TRACE: a job's consumer span continues the producer's trace (`child`) or starts its own with a link (`link`). */
  readonly jobTrace: JobTraceMode;
  /** TRACEHOP_DOCTOR_FD: set by `tracehop doctor`, the pipe its start-up facts go to. */
  readonly doctorFd: number | undefined;
  /** OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT: the deadline of one batch's export, all attempts. */
  readonly exporterTimeout: { readonly millis: number; readonly variable: string };
  /** What the exit hand-off's child needs of this environment to reach the collector as the exporter does (see EXPORT_ENVIRONMENT). */
  readonly exportEnvironment: Readonly<Record<string, string>>;
}

/** What `parseConfig` needs to know about the app besides its environment. */
export interface AppFacts {
  /** The entry script (`process.argv[1]`), if any. */
  readonly entryScript: string | undefined;
  /** In a worker thread: the service name the main thread resolved. */
  readonly inheritedServiceName?: string;
  /** The parent process's id: only a process the doctor started itself reports to it. */
  readonly parentPid?: number;
  /** Reads a file as text, or returns undefined. Lets tests run without a file system. */
  readonly readFile: (path: string) => string | undefined;
}

export const DEFAULT_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';
export const DEFAULT_REQUEST_ID_HEADERS = 'X-Request-ID,X-Correlation-ID';
export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 5000;
/** The OpenTelemetry specification's OTLP exporter timeout. */
export const DEFAULT_EXPORTER_TIMEOUT_MILLIS = 10000;
/** Set by `tracehop doctor` in the app's environment. */
export const DOCTOR_FD_VARIABLE = 'TRACEHOP_DOCTOR_FD';
/** Set next to it: the doctor's pid, which must be the app's parent pid. */
export const DOCTOR_PID_VARIABLE = 'TRACEHOP_DOCTOR_PID';
export const DEFAULT_LOG_FIELDS: LogFieldNames = Object.freeze({
  traceId: 'trace_id',
  spanId: 'span_id',
  traceFlags: 'trace_flags',
  requestId: 'request_id',
  requestChain: 'request_chain',
  jobId: 'job_id',
  parentJobId: 'parent_job_id',
});

// The OpenTelemetry specification's batch span processor defaults, except
// the batch: 128 spans, not 512. Spans waiting for a 512-span batch to fill
// outlive young-generation collections, which then copy and promote them, and
// the whole batch is encoded in one piece: both hold the event loop, and the
// requests waiting on it, for milliseconds (docs/performance.md, "Export stalls").
const BSP_DEFAULTS = { maxQueueSize: 2048, maxExportBatchSize: 128, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 };
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LOG_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$/;
const MAX_SHOWN_VALUE = 100;

export interface ParsedConfig {
  readonly config: Config;
  /** One line per invalid setting, for diag. */
  readonly warnings: readonly string[];
}

/** Builds the configuration from an environment. Pure, never throws. */
export function parseConfig(env: Env, app: AppFacts): ParsedConfig {
  const warnings: string[] = [];
  const reader = new EnvReader(env, warnings);

  const serviceName = findServiceName(env, app);
  const tracesProtocolVar = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const requestIdHeaders = reader.list('TRACEHOP_REQUEST_ID_HEADERS', DEFAULT_REQUEST_ID_HEADERS, name => HEADER_NAME.test(name), 'HTTP header names');

  const config: Config = {
    disabled: reader.boolean('OTEL_SDK_DISABLED', false),
    serviceName: serviceName.name,
    serviceNameSource: serviceName.source,
    tracesExporters: reader.tracesExporters(),
    protocol: reader.oneOf(tracesProtocolVar, ['http/protobuf', 'http/json'] as const, 'http/protobuf'),
    tracesEndpoint: reader.tracesEndpoint(),
    // Both apply, as in the exporter: the traces-specific value wins per header name.
    exporterHeaders: { ...reader.headers('OTEL_EXPORTER_OTLP_HEADERS'), ...reader.headers('OTEL_EXPORTER_OTLP_TRACES_HEADERS') },
    propagators: reader.propagators(),
    sampler: reader.oneOf('OTEL_TRACES_SAMPLER', [
      'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio',
    ] as const, 'parentbased_always_on'),
    samplerRatio: reader.ratio('OTEL_TRACES_SAMPLER_ARG', 1),
    batch: {
      maxQueueSize: reader.integer('OTEL_BSP_MAX_QUEUE_SIZE', BSP_DEFAULTS.maxQueueSize, 1),
      maxExportBatchSize: reader.integer('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', BSP_DEFAULTS.maxExportBatchSize, 1),
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
    esmHook: reader.boolean('TRACEHOP_ESM_HOOK', true),
    requestIdFormat: reader.oneOf('TRACEHOP_REQUEST_ID_FORMAT', ['uuid4', 'uuid7'] as const, 'uuid4'),
    logSpanEvents: reader.oneOf('TRACEHOP_LOG_SPAN_EVENTS', ['none', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'error'),
    doctorFd: reader.doctorFd(app.parentPid),
    exporterTimeout: reader.exporterTimeout(),
    exportEnvironment: pick(env, EXPORT_ENVIRONMENT),
  };
  if (config.batch.maxExportBatchSize > config.batch.maxQueueSize) {
    // Only a batch size the user chose is worth a line; the default just follows a smaller queue.
    if (env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE?.trim()) warnings.push(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE=${config.batch.maxExportBatchSize} is larger than OTEL_BSP_MAX_QUEUE_SIZE=${config.batch.maxQueueSize}; using ${config.batch.maxQueueSize}`);
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
  'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'NODE_USE_ENV_PROXY', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy',
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

/** Reads typed values from the environment, recording one warning per bad value. */
class EnvReader {
  constructor(private readonly env: Env, private readonly warnings: string[]) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  private reject(name: string, value: string, expected: string, used: string): void {
    this.warnings.push(`${name}=${show(value)} is not ${expected}; using ${used}`);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.reject(name, value, 'true or false', String(fallback));
    return fallback;
  }

  integer(name: string, fallback: number, min: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min) return parsed;
    this.reject(name, value, `a whole number of at least ${min}`, String(fallback));
    return fallback;
  }

  ratio(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) return parsed;
    this.reject(name, value, 'a number from 0 to 1', String(fallback));
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (allowed.includes(lower)) return lower;
    this.reject(name, value, `one of ${allowed.join(', ')}`, fallback);
    return fallback;
  }

  list(name: string, fallback: string, valid: (item: string) => boolean, expected: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return splitList(fallback);
    const items = splitList(value);
    const good = items.filter(valid);
    if (good.length === items.length && (good.length > 0 || fallback === '')) return good;
    const used = good.length > 0 ? good : splitList(fallback);
    this.reject(name, value, `a comma-separated list of ${expected}`, used.join(',') || '(none)');
    return used;
  }

  /** The propagation policy: TRACEHOP_PROPAGATE_TO, else the defaults; TRACEHOP_SERVICE_DOMAIN adds a suffix. */
  propagateTo(): string[] {
    const entries = this.list('TRACEHOP_PROPAGATE_TO', DEFAULT_PROPAGATE_TO.join(','), isPolicyEntry, 'hosts, .domain suffixes, CIDR ranges, loopback, private, local-names or *');
    const domain = this.raw('TRACEHOP_SERVICE_DOMAIN');
    if (domain === undefined) return entries;
    const suffix = domain.startsWith('.') ? domain : `.${domain}`;
    if (isPolicyEntry(suffix)) return [...entries, suffix];
    this.reject('TRACEHOP_SERVICE_DOMAIN', domain, 'a domain name', '(none)');
    return entries;
  }

  /**
   * 0 to 2 are stdin, stdout and stderr: the doctor's pipe is always above
   * them. It counts only in the process the doctor started (its pid is the
   * parent's): a process the app starts may have inherited the variables
   * and an fd 3 that is someone else's pipe.
   */
  doctorFd(parentPid: number | undefined): number | undefined {
    const value = this.raw(DOCTOR_FD_VARIABLE);
    if (value === undefined) return undefined;
    if (parentPid === undefined || this.raw(DOCTOR_PID_VARIABLE) !== String(parentPid)) return undefined;
    const fd = Number(value);
    if (Number.isInteger(fd) && fd >= 3) return fd;
    this.reject(DOCTOR_FD_VARIABLE, value, 'a file descriptor of at least 3', '(none)');
    return undefined;
  }

  logLevel(): DiagLogLevel {
    const value = this.raw('OTEL_LOG_LEVEL');
    if (value === undefined) return DiagLogLevel.WARN;
    const level = parseDiagLogLevel(value);
    if (level !== undefined) return level;
    this.reject('OTEL_LOG_LEVEL', value, 'one of none, error, warn, info, debug, verbose, all', 'warn');
    return DiagLogLevel.WARN;
  }

  tracesExporters(): TracesExporterName[] {
    const value = this.raw('OTEL_TRACES_EXPORTER');
    if (value === undefined) return ['otlp'];
    const names = splitList(value.toLowerCase());
    if (names.includes('none')) return [];
    const known = names.filter((name): name is TracesExporterName => name === 'otlp' || name === 'console');
    if (known.length !== names.length) {
      const used = known.length > 0 ? known : ['otlp' as const];
      this.reject('OTEL_TRACES_EXPORTER', value, 'a list of otlp, console or none', used.join(','));
      return used;
    }
    return [...new Set(known)];
  }

  propagators(): PropagatorName[] {
    const value = this.raw('OTEL_PROPAGATORS');
    if (value === undefined) return ['tracecontext', 'baggage'];
    const names = splitList(value.toLowerCase());
    if (names.includes('none')) return [];
    const allowed: readonly string[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];
    const known = names.filter((name): name is PropagatorName => allowed.includes(name));
    if (known.length !== names.length) {
      const used = known.length > 0 ? known : (['tracecontext', 'baggage'] as PropagatorName[]);
      this.reject('OTEL_PROPAGATORS', value, `a list of ${allowed.join(', ')} or none`, used.join(','));
      return [...new Set(used)];
    }
    return [...new Set(known)];
  }

  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; OTEL_EXPORTER_OTLP_ENDPOINT gets `/v1/traces` appended (OTLP exporter specification). */
  /** The traces-specific variable wins when set, as in the exporter. */
  exporterTimeout(): { millis: number; variable: string } {
    const variable = this.raw('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') === undefined ? 'OTEL_EXPORTER_OTLP_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT';
    return { millis: this.integer(variable, DEFAULT_EXPORTER_TIMEOUT_MILLIS, 1), variable };
  }

  tracesEndpoint(): string {
    const specific = this.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    if (specific !== undefined) {
      if (isHttpUrl(specific)) return specific;
      this.reject('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific, 'an http or https URL', this.genericEndpoint());
      return this.genericEndpoint();
    }
    return this.genericEndpoint();
  }

  private genericEndpoint(): string {
    const base = this.raw('OTEL_EXPORTER_OTLP_ENDPOINT');
    if (base === undefined) return DEFAULT_TRACES_ENDPOINT;
    if (isHttpUrl(base)) return base.replace(/\/+$/, '') + '/v1/traces';
    this.reject('OTEL_EXPORTER_OTLP_ENDPOINT', base, 'an http or https URL', DEFAULT_TRACES_ENDPOINT);
    return DEFAULT_TRACES_ENDPOINT;
  }

  /** `key=value,key2=value2`, values URL-encoded (W3C Baggage format, as the OTLP exporter specification says). */
  headers(name: string): Record<string, string> {
    const value = this.raw(name);
    const headers: Record<string, string> = {};
    if (value === undefined) return headers;
    let bad = 0;
    for (const pair of value.split(',')) {
      const at = pair.indexOf('=');
      const key = at > 0 ? pair.slice(0, at).trim() : '';
      let decoded: string | undefined;
      try {
        decoded = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
      } catch {
        decoded = undefined;
      }
      if (!HEADER_NAME.test(key) || decoded === undefined || /[\r\n\0]/.test(decoded)) {
        bad++;
        continue;
      }
      headers[key] = decoded;
    }
    if (bad > 0) {
      // Header values are often credentials: name the variable, never the value.
      this.warnings.push(`${name} has ${bad} malformed entr${bad === 1 ? 'y' : 'ies'} (expected key=value pairs separated by commas); using the ${Object.keys(headers).length} valid one(s)`);
    }
    return headers;
  }

  logFields(): LogFieldNames {
    const value = this.raw('TRACEHOP_LOG_FIELDS');
    if (value === undefined) return DEFAULT_LOG_FIELDS;
    const fields: Record<string, string> = { ...DEFAULT_LOG_FIELDS };
    const byDefaultName = new Map(Object.entries(DEFAULT_LOG_FIELDS).map(([key, name]) => [name, key]));
    let bad = false;
    for (const pair of splitList(value)) {
      const [from, to] = pair.split('=').map(part => part.trim());
      const key = byDefaultName.get(from);
      const takenByOther = Object.entries(fields).some(([other, name]) => other !== key && name === to);
      if (key === undefined || to === undefined || !LOG_FIELD_NAME.test(to) || takenByOther) {
        bad = true;
        continue;
      }
      fields[key] = to;
    }
    if (bad) {
      this.reject('TRACEHOP_LOG_FIELDS', value, 'a list of default=name pairs such as trace_id=traceId', describeFields(fields as unknown as LogFieldNames));
    }
    return fields as unknown as LogFieldNames;
  }
}

function describeFields(fields: LogFieldNames): string {
  return Object.entries(DEFAULT_LOG_FIELDS).map(([key, name]) => `${name}=${fields[key as keyof LogFieldNames]}`).join(',');
}

function splitList(value: string): string[] {
  return value.split(',').map(item => item.trim()).filter(item => item.length > 0);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Shows a rejected value safely: control characters escaped, long values cut. */
function show(value: string): string {
  const cut = value.length > MAX_SHOWN_VALUE ? `${value.slice(0, MAX_SHOWN_VALUE)}...` : value;
  return JSON.stringify(cut);
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
