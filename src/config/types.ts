/**
 * The shapes of tracehop's configuration: what `parseConfig` (index.ts)
 * returns, and what it is given.
 */
import type { DiagLogLevel } from '@opentelemetry/api';
import type { ServiceNameSource } from './service-name';
import type { CompileCacheSetting } from './compile-cache';

export type Env = Readonly<Record<string, string | undefined>>;
export type Protocol = 'http/protobuf' | 'http/json';
export type TracesExporterName = 'otlp' | 'console';
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi';
export type ServerSpanSource = 'tracehop' | 'instrumentation-http';
/** TRACEHOP_ESM_HOOK: register the module hooks that see `import` (`true`, the default) or not (`false`). */
export type EsmHookSetting = 'true' | 'false';
export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

/** How a job's trace relates to the trace that queued it. */
export type JobTraceMode = 'child' | 'link';

/** The names of the fields that the pino hook adds to each record. */
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

/** Paths of the TLS files for reaching the collector, as set (relative ones are read from the working directory at start-up). */
export interface TlsFiles {
  readonly certificate?: string;
  readonly clientKey?: string;
  readonly clientCertificate?: string;
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
  /** TRACEHOP_SENTRY_REQUEST_ID_TAG: the tag that carries the request id on the app's Sentry events. */
  readonly sentryRequestIdTag: string;
  /** TRACEHOP_SENTRY_BREADCRUMB_LEVEL: the lowest pino level whose request lines become Sentry breadcrumbs; `none` for off. */
  readonly sentryBreadcrumbLevel: 'none' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** TRACEHOP_SERVER_SPAN: `tracehop` (our own, from Node's diagnostics channel) or `instrumentation-http`'s. */
  readonly serverSpan: ServerSpanSource;
  /** TRACEHOP_CORS_EXPOSE_HEADERS: add our response headers to Access-Control-Expose-Headers when a request has an Origin. */
  readonly corsExposeHeaders: boolean;
  /** TRACEHOP_SERVER_TIMING: answer with `Server-Timing: traceparent;desc="..."`. */
  readonly serverTiming: boolean;
  /** TRACEHOP_ESM_HOOK: register the module hooks that instrument `import` (src/runtime/module-hooks.ts), or not. */
  readonly esmHook: EsmHookSetting;
  /** TRACEHOP_COMPILE_CACHE: Node's module compile cache, switched on by the preload before tracehop loads (config/compile-cache.ts). */
  readonly compileCache: CompileCacheSetting;
  /** The app's entry script: `process.argv[1]`, or under PM2 the script PM2 runs (see appEntryScript). */
  readonly entryScript: string | undefined;
  /** TRACEHOP_JOB_TRACE: a job's consumer span continues the producer's trace (`child`) or starts its own with a link (`link`). */
  readonly jobTrace: JobTraceMode;
  /** TRACEHOP_DOCTOR_FD: set by `tracehop doctor`, the pipe its start-up facts go to. */
  readonly doctorFd: number | undefined;
  /** OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT: the deadline of one batch's export, all attempts. */
  readonly exporterTimeout: { readonly millis: number; readonly variable: string };
  /** OTEL_EXPORTER_OTLP_TRACES_COMPRESSION, else OTEL_EXPORTER_OTLP_COMPRESSION: how export bodies are sent, by the exporter and the exit hand-off alike. */
  readonly compression: 'gzip' | 'none';
  /** OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE, CLIENT_KEY, CLIENT_CERTIFICATE: paths of the TLS files, for the exporter and the exit hand-off alike. */
  readonly tlsFiles: Readonly<TlsFiles>;
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

export interface ParsedConfig {
  readonly config: Config;
  /** One line per invalid setting, for diag. */
  readonly warnings: readonly string[];
}
