/**
 * A runtime object for unit tests, built from the defaults (or the given
 * settings) as the preload builds one from its Config, and published the way
 * the preload publishes it, for code that reads it through the public API.
 */
import { DEFAULT_LOG_FIELDS } from '../../src/config';
import type { LogFieldNames } from '../../src/config';
import { RequestIdGenerator } from '../../src/core/id-generator';
import { RequestIdPolicy, builtInRequestIds } from '../../src/core/request-id-policy';
import { RUNTIME_KEY, publishRuntime } from '../../src/core/shared-state';
import type { TracehopRuntime } from '../../src/core/shared-state';
import { logFieldReaders } from '../../src/logging/log-fields';
import { PINO_LEVELS } from '../../src/logging/log-span-events';
import type { LogLineSettings } from '../../src/logging/pino-line';

export interface TestRuntimeSettings {
  readonly jobTrace?: 'child' | 'link';
  readonly logFields?: LogFieldNames;
  readonly idGenerator?: RequestIdGenerator;
}

export function testRuntime(settings: TestRuntimeSettings = {}): TracehopRuntime {
  return {
    idGenerator: settings.idGenerator ?? new RequestIdGenerator(),
    requestIds: new RequestIdPolicy(builtInRequestIds('uuid4')),
    jobTrace: settings.jobTrace ?? 'child',
    logFields: logFieldReaders(settings.logFields ?? DEFAULT_LOG_FIELDS),
    logSpanEventLevel: PINO_LEVELS.error,
  };
}

/** Publishes a test runtime under the shared key; returns it. */
export function publishTestRuntime(settings: TestRuntimeSettings = {}): TracehopRuntime {
  const runtime = testRuntime(settings);
  publishRuntime(runtime);
  return runtime;
}

/** Removes whatever runtime is published, as in a process where tracehop is not running. */
export function withdrawRuntime(): void {
  delete (globalThis as { [RUNTIME_KEY]?: TracehopRuntime })[RUNTIME_KEY];
}

/** The pino hook's settings with the default field names and span-event level. */
export function defaultLogLineSettings(names: LogFieldNames = DEFAULT_LOG_FIELDS): LogLineSettings {
  return { fields: logFieldReaders(names), eventLevel: PINO_LEVELS.error };
}
