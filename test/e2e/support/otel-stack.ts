/**
 * Entry point of the end-to-end test support: a real Jaeger and a real
 * OpenTelemetry Collector, built from source by scripts/e2e/build-binaries.sh
 * and started on free 127.0.0.1 ports.
 *
 *   const jaeger = await startJaeger();
 *   const collector = await startCollector({ jaegerOtlpGrpcEndpoint: jaeger.otlpGrpcEndpoint });
 *   // ...point tracehop at `${collector.otlpHttpUrl}/v1/traces`...
 *   const trace = await jaegerApi(jaeger.queryUrl).waitForTrace(id, (t) => t.spans.length === 3);
 *   await collector.stop();
 *   await jaeger.stop();
 */
export { readBinaries, cacheDir, collectorConfigPath, jaegerConfigPath, repoRoot } from './binaries';
export type { Binaries } from './binaries';
export { freePort, freePorts } from './process';
export { startJaeger } from './jaeger';
export type { Jaeger, StartJaegerOptions } from './jaeger';
export { startCollector, validateCollectorConfig } from './collector';
export type { Collector, StartCollectorOptions, ValidateResult } from './collector';
export { jaegerApi, parentSpanId, serviceName, spanTag } from './jaeger-api';
export type { JaegerApi, JaegerKeyValue, JaegerProcess, JaegerReference, JaegerSpan, JaegerTrace } from './jaeger-api';
