/**
 * The start-up's internal seam for tracehop's own benchmarks (StartSeams in
 * src/runtime/sdk.ts): with `exportProcessor`, each export pipeline's span
 * processor is the one it builds around the pipeline's exporter; without it,
 * tracehop's own batch processor. No setting reaches the seam.
 */
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { parseConfig } from '../../../src/config';
import type { Config } from '../../../src/config';
import { buildSdk } from '../../../src/runtime/sdk';
import type { BuiltSdk } from '../../../src/runtime/sdk';
import { createRuntime } from '../../../src/runtime/tracehop-runtime';

const ENV = { OTEL_SERVICE_NAME: 'seams', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };

function configOf(env: Record<string, string>): Config {
  return parseConfig(env, { entryScript: undefined, readFile: () => undefined, parentPid: 1 }).config;
}

/** Builds, then switches the instrumentations off again: the test only reads what was built. */
function built(config: Config, seams?: Parameters<typeof buildSdk>[2]): BuiltSdk {
  const sdk = buildSdk(config, createRuntime(config), seams);
  for (const instrumentation of sdk.instrumentations) instrumentation.disable();
  return sdk;
}

const stubProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

test('without seams each export pipeline registers its own batch processor', () => {
  const sdk = built(configOf(ENV));
  expect(sdk.exportPipelines).toHaveLength(1);
  expect(sdk.spanProcessors).toContain(sdk.exportPipelines[0].processor);
});

test('an exportProcessor seam builds the processor around the pipeline exporter with the batch settings', () => {
  const config = configOf({ ...ENV, OTEL_BSP_MAX_QUEUE_SIZE: '4096', OTEL_BSP_SCHEDULE_DELAY: '250' });
  const calls: Array<{ exporter: SpanExporter; batch: Config['batch'] }> = [];
  const sdk = built(config, {
    exportProcessor: (exporter, batch) => {
      calls.push({ exporter, batch });
      return stubProcessor;
    },
  });
  expect(calls).toHaveLength(1);
  expect(calls[0].exporter).toBe(sdk.exportPipelines[0].exporter);
  expect(calls[0].batch).toEqual(config.batch);
  expect(calls[0].batch.maxQueueSize).toBe(4096);
  expect(calls[0].batch.scheduledDelayMillis).toBe(250);
  expect(sdk.spanProcessors).toContain(stubProcessor);
  expect(sdk.spanProcessors).not.toContain(sdk.exportPipelines[0].processor);
});
