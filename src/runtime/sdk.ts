/**
 * Builds the SDK from a Config. Does not start it: `register` does.
 *
 * Traces only: by default tracehop's own traces-only SDK (traces-sdk.ts),
 * with resource detection limited to env, process and host (no cloud
 * metadata probes). NodeSDK is loaded only when the user asks for metrics or
 * logs (OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER) or for other resource
 * detectors (OTEL_NODE_RESOURCE_DETECTORS), and then builds those from the
 * environment.
 */
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, AlwaysOnSampler, ConsoleSpanExporter, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Config } from '../config';
import { ErrorNotingContextManager } from '../errors/error-context';
import { BullmqHookInstrumentation } from '../jobs';
import { serverHooks, serverSpanOptions, upgradeServerSpanOptions } from '../http/server-hooks';
import { UpgradeServerSpan } from '../http/upgrade-server-span';
import type { ServerHookOptions } from '../http/server-hooks';
import { ServerSpan } from '../http/server-span';
import { Http2ServerSpan, http2ServerSpanOptions } from '../http/http2-server-span';
import { trace } from '@opentelemetry/api';
import {
  ExpressRoutesInstrumentation,
  FastifyRoutesInstrumentation,
  HapiRoutesInstrumentation,
  HonoRoutesInstrumentation,
  KoaRouterRoutesInstrumentation,
} from '../frameworks';
import { PinoHookInstrumentation } from '../logging/pino-hook';
import { logSpanEventLevel } from '../logging/log-span-events';
import { SentryBridge, SentryHookInstrumentation } from '../sentry';
import { ApiCopiesInstrumentation } from './api-copies';
import { buildPropagator } from '../propagation/composite';
import { destinationPolicy } from '../core/destination-policy';
import { DestinationGate, PolicyPropagator } from '../propagation/policy-propagator';
import { fetchClientHooks, httpClientHooks } from '../http/client-hooks';
import { RequestIdPropagator } from '../propagation/request-id-propagator';
import { CorrelationSpanProcessor } from './correlation-span-processor';
import { deadlineAgentFactory } from '../export/attempt-deadline';
import type { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { tlsFilesOnce } from '../export/tls-files';
import type { TlsOptions } from '../export/tls-files';
import { protobufTraceExporter } from '../export';
import type { SlicingSpanExporter } from '../export';
import { otlpExitSender } from '../export/exit-hand-off';
import { ExportPipeline } from '../export/export-pipeline';
import type { OwnTrafficRunner } from '../export/holding-span-exporter';
import type { RequestIdGenerator } from '../core/id-generator';
import { ClaimedCarriers } from '../core/request-start';
import type { TracehopRuntime } from '../core/shared-state';
import { TracesSdk } from './traces-sdk';
import type { Sdk } from './traces-sdk';

export interface BuiltSdk {
  readonly sdk: Sdk;
  readonly idGenerator: RequestIdGenerator;
  readonly spanProcessors: readonly SpanProcessor[];
  /** One per OTEL_TRACES_EXPORTER entry: span counts, and the hand-off at process exit. */
  readonly exportPipelines: readonly ExportPipeline[];
  /** Also what the ESM loader hook is limited to, and what the start-up facts describe. */
  readonly instrumentations: readonly Instrumentation[];
  /** tracehop's own server span, to enable once the SDK has started; undefined with TRACEHOP_SERVER_SPAN=instrumentation-http. */
  readonly serverSpan: ServerSpan | undefined;
  /** tracehop's HTTP/2 server span, whichever HTTP/1.1 server span is chosen (instrumentation-http has none for HTTP/2). */
  readonly http2ServerSpan: Http2ServerSpan;
  /** The app's Sentry, once it loads: what the doctor reports. */
  readonly sentry: SentryBridge;
  /** tracehop's span for an HTTP/1.1 upgrade (WebSocket), whichever HTTP/1.1 server span is chosen (instrumentation-http has none). */
  readonly upgradeServerSpan: UpgradeServerSpan;
}

/** The instrumentation scope of tracehop's own server spans. */
export const SERVER_SPAN_SCOPE = 'tracehop-http-server';

/**
 * Internal seams of the start-up, for tracehop's own benchmarks (bench/): no
 * setting reaches them, and the preload passes none.
 */
export interface StartSeams {
  /**
   * Builds the span processor of each export pipeline around its exporter,
   * in place of tracehop's batch processor: how bench/ measures tracehop's
   * processor against the SDK's on the same exporter. Spans then reach the
   * exporter unencoded, and the pipeline's counts and exit hand-off see none of them.
   */
  readonly exportProcessor?: (exporter: SpanExporter, batch: Config['batch']) => SpanProcessor;
}

export function buildSdk(config: Config, runtime: TracehopRuntime, seams: StartSeams = {}): BuiltSdk {
  const { idGenerator } = runtime;
  // Only instrumentation-http's server path claims requests for extract to find (server-hooks.ts).
  const claimed = new ClaimedCarriers();
  const requestIdPropagator = new RequestIdPropagator({
    headers: config.requestIdHeaders,
    outgoingHeader: config.requestIdHeader,
    requestIds: runtime.requestIds,
    claimed: config.serverSpan === 'tracehop' ? undefined : claimed,
    edge: config.edgeMode,
  });
  // Always installed: besides the policy (which allows all with TRACEHOP_PROPAGATE_TO=*),
  // its hooks notice a request-id header the app set itself.
  const gate = new DestinationGate(destinationPolicy(config.propagateTo));
  const propagator = buildPropagator(config.propagators, requestIdPropagator);
  // The correlation processor comes first so exporters see the attributes.
  // With OTEL_TRACES_EXPORTER=none spans are still made, so that request ids,
  // propagation and log fields keep working; they are just not sent anywhere.
  // The app's Sentry, once it loads: its tracing is suppressed around each export, so it traces none of the exporter's requests.
  const sentry = new SentryBridge({ requestIdTag: config.sentryRequestIdTag, breadcrumbLevel: logSpanEventLevel(config.sentryBreadcrumbLevel) });
  const ownTraffic: OwnTrafficRunner = send => sentry.runAsOwnTraffic(send);
  const exportPipelines = config.tracesExporters.map(name => buildPipeline(name, config, ownTraffic));
  const exportProcessor = seams.exportProcessor;
  const spanProcessors: SpanProcessor[] = [
    new CorrelationSpanProcessor(),
    ...exportPipelines.map(pipeline => (exportProcessor === undefined ? pipeline.processor : exportProcessor(pipeline.exporter, config.batch))),
  ];
  // Instrumentations patch their modules as they are made: if what follows
  // throws, they are switched off again, so the app runs as it would untraced.
  const instrumentations = buildInstrumentations(config, runtime, claimed, gate, sentry);
  try {
    const sampler = buildSampler(config);
    const textMapPropagator = new PolicyPropagator(propagator, gate);
    const serviceName =
      config.serviceNameSource === 'OTEL_SERVICE_NAME' || config.serviceNameSource === 'OTEL_RESOURCE_ATTRIBUTES' ? undefined : config.serviceName;
    const needsNodeSdk = config.metricsRequested || config.logsRequested || config.resourceDetectorsFromEnv;
    const sdk = needsNodeSdk
      ? buildNodeSdk(config, { idGenerator, sampler, spanProcessors, textMapPropagator, instrumentations, serviceName })
      : new TracesSdk({ idGenerator, sampler, spanProcessors, propagator: textMapPropagator, instrumentations, serviceName });
    const hookOptions = serverHookOptions(config, runtime, claimed);
    const serverSpan =
      config.serverSpan === 'tracehop' ? new ServerSpan({ ...serverSpanOptions(hookOptions), tracer: () => trace.getTracer(SERVER_SPAN_SCOPE) }) : undefined;
    const http2ServerSpan = new Http2ServerSpan({ ...http2ServerSpanOptions(hookOptions), tracer: () => trace.getTracer(SERVER_SPAN_SCOPE) });
    const upgradeServerSpan = new UpgradeServerSpan({ ...upgradeServerSpanOptions(hookOptions), tracer: () => trace.getTracer(SERVER_SPAN_SCOPE) });
    return { sdk, idGenerator, spanProcessors, exportPipelines, instrumentations, serverSpan, http2ServerSpan, sentry, upgradeServerSpan };
  } catch (error) {
    // Not swallowed: switched off, then rethrown to startTracehop, which reports that tracing is off.
    for (const instrumentation of instrumentations) {
      try {
        instrumentation.disable();
      } catch {
        // Start-up has failed already and is reported by the caller; one that cannot be switched off stays as it is.
      }
    }
    throw error;
  }
}

/** NodeSDK, loaded only here: it builds the metrics and logs pipelines and detectors the environment asks for. */
function buildNodeSdk(config: Config, options: Partial<NodeSDKConfiguration>): Sdk {
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  if (!config.metricsRequested) options.metricReaders = [];
  if (!config.logsRequested) options.logRecordProcessors = [];
  if (options.serviceName === undefined) delete options.serviceName;
  options.contextManager = new ErrorNotingContextManager();
  return new NodeSDK(options);
}

function buildInstrumentations(
  config: Config,
  runtime: TracehopRuntime,
  claimed: ClaimedCarriers,
  gate: DestinationGate,
  sentry: SentryBridge,
): Instrumentation[] {
  const isSentryTraffic = () => sentry.isSentryTraffic();
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({
      // With tracehop's own server span, instrumentation-http makes client spans only.
      ...(config.serverSpan === 'tracehop' ? { disableIncomingRequestInstrumentation: true } : serverHooks(serverHookOptions(config, runtime, claimed))),
      ...httpClientHooks(gate, config.requestIdHeader, isSentryTraffic),
    }),
    new UndiciInstrumentation(fetchClientHooks(gate, config.requestIdHeader, isSentryTraffic)),
    new ExpressRoutesInstrumentation(),
    new FastifyRoutesInstrumentation(),
    new KoaRouterRoutesInstrumentation(),
    new HapiRoutesInstrumentation(),
    new HonoRoutesInstrumentation(),
  ];
  if (config.pinoHook) {
    instrumentations.push(
      new PinoHookInstrumentation({ fields: runtime.logFields, eventLevel: runtime.logSpanEventLevel, onLine: line => sentry.onLine(line) }),
    );
  }
  instrumentations.push(new SentryHookInstrumentation(sentry));
  instrumentations.push(new BullmqHookInstrumentation(runtime));
  // Says so when the app's own copy of the API cannot see tracehop's provider.
  instrumentations.push(new ApiCopiesInstrumentation());
  return instrumentations;
}

function serverHookOptions(config: Config, runtime: TracehopRuntime, claimed: ClaimedCarriers): ServerHookOptions {
  return {
    responseHeader: config.requestIdHeader,
    ignorePaths: config.ignorePaths,
    idGenerator: runtime.idGenerator,
    requestIds: runtime.requestIds,
    claimed,
    exposeToBrowsers: config.corsExposeHeaders,
    serverTiming: config.serverTiming,
  };
}

function buildPipeline(name: 'otlp' | 'console', config: Config, ownTraffic: OwnTrafficRunner): ExportPipeline {
  // Only OTLP gets a hand-off at exit: the console exporter is for debugging.
  if (name === 'console') return new ExportPipeline(name, new ConsoleSpanExporter(), config.batch, undefined);
  // Read once for both: the exporter's agent and the exit hand-off reach the collector the same way.
  const tls = tlsFilesOnce(config.tlsFiles);
  return new ExportPipeline(name, buildOtlpExporter(config, tls), config.batch, otlpExitSender(config, tls), ownTraffic);
}

function buildOtlpExporter(config: Config, tls: () => TlsOptions): SpanExporter | SlicingSpanExporter {
  const options = {
    url: config.tracesEndpoint,
    headers: { ...config.exporterHeaders },
    timeoutMillis: config.exporterTimeout.millis,
    // Given here rather than left to the exporter's own reading, so that the exit hand-off's is the same value.
    // The exporter's CompressionAlgorithm values are these very strings; the type alone is imported, so the exporter loads only when chosen.
    compression: config.compression as CompressionAlgorithm,
    httpAgentOptions: deadlineAgentFactory(config.exporterTimeout, tls),
  };
  // Each protocol's exporter is loaded only when chosen.
  if (config.protocol === 'http/json') {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(options);
  }
  // http/protobuf: the OpenTelemetry exporter's parts around tracehop's own span encoder (src/export/).
  return protobufTraceExporter(options);
}

function buildSampler(config: Config): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
