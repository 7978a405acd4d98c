/**
 * The runtime object (src/core/shared-state.ts, `TracehopRuntime`), built
 * once from the Config as tracehop starts: the id generator, the request-id
 * policy, the job trace mode, the log field readers and the span-event
 * level. start.ts hands it to the SDK's builders and, once the SDK runs,
 * publishes it for the public API of every copy of tracehop.
 */
import type { Config } from '../config';
import { RequestIdGenerator } from '../core/id-generator';
import { RequestIdPolicy, builtInRequestIds } from '../core/request-id-policy';
import type { TracehopRuntime } from '../core/shared-state';
import { logFieldReaders } from '../logging/log-fields';
import { logSpanEventLevel } from '../logging/log-span-events';

export function createRuntime(config: Config): TracehopRuntime {
  return Object.freeze({
    idGenerator: new RequestIdGenerator(),
    requestIds: new RequestIdPolicy(builtInRequestIds(config.requestIdFormat)),
    jobTrace: config.jobTrace,
    logFields: logFieldReaders(config.logFields),
    logSpanEventLevel: logSpanEventLevel(config.logSpanEvents),
  });
}
