/**
 * The traces-only SDK that tracehop starts by default.
 *
 * NodeSDK loads every metrics and logs exporter, the metrics SDK and more at
 * require time, whatever the configuration: about a second of a 2-core
 * machine's start-up (docs/performance.md). tracehop sends traces only, so it
 * wires the few parts a tracer needs itself, the same way NodeSDK does, and
 * loads NodeSDK only when the user asks for metrics, logs or other resource
 * detectors (see `sdk.ts`).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { ErrorNotingContextManager } from '../errors/error-context';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { IdGenerator, Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DetectedResourceAttributes, ResourceDetector } from '@opentelemetry/resources';

/**
 * The host detector without its asynchronous attribute (`host.id`, read from
 * the machine id). A resource with attributes still settling makes the batch
 * processor wait for them before it exports, so spans ended just before a
 * `process.exit()` would miss the synchronous hand-off at exit.
 */
const hostDetectorSync: ResourceDetector = {
  detect: config => {
    const detected = hostDetector.detect(config);
    const attributes: DetectedResourceAttributes = {};
    for (const [key, value] of Object.entries(detected.attributes ?? {})) {
      if (!(value instanceof Promise)) attributes[key] = value;
    }
    return { attributes };
  },
};

/** What `register` needs of an SDK: start it, and shut it down (which flushes). */
export interface Sdk {
  start(): void;
  shutdown(): Promise<void>;
}

export interface TracesSdkOptions {
  readonly idGenerator: IdGenerator;
  readonly sampler: Sampler;
  readonly spanProcessors: SpanProcessor[];
  readonly propagator: TextMapPropagator;
  readonly instrumentations: Instrumentation[];
  /** Set only when the environment does not name the service (the env detector reads it otherwise). */
  readonly serviceName?: string;
}

export class TracesSdk implements Sdk {
  private provider: TracerProvider | undefined;

  constructor(private readonly options: TracesSdkOptions) {}

  start(): void {
    const { idGenerator, sampler, spanProcessors, propagator, instrumentations, serviceName } = this.options;
    registerInstrumentations({ instrumentations });
    // Notes which request a synchronous throw escaped from, for the crash record (src/errors/).
    context.setGlobalContextManager(new ErrorNotingContextManager().enable());
    propagation.setGlobalPropagator(propagator);
    // The detectors NodeSDK uses by default (none probes the network), all synchronous.
    let resource = defaultResource().merge(detectResources({ detectors: [envDetector, processDetector, hostDetectorSync] }));
    if (serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': serviceName }));
    // The provider NodeSDK uses: it takes the sampler given, where the
    // compatibility TracerProvider also builds one from the environment
    // and reports OTEL_TRACES_SAMPLER a second time.
    this.provider = new TracerProvider({ resource, sampler, idGenerator, spanProcessors });
    trace.setGlobalTracerProvider(this.provider);
  }

  shutdown(): Promise<void> {
    return this.provider?.shutdown() ?? Promise.resolve();
  }
}
