/**
 * What every jobs test file needs: one real redis-server and one OTLP
 * receiver, started before its tests and stopped after them, and the
 * services a test starts, stopped after each test.
 */
import { startOtlpReceiver } from './otlp-receiver';
import type { OtlpReceiver } from './otlp-receiver';
import { startRedis } from './redis';
import type { RedisServer } from './redis';
import type { Service } from './services';

export interface JobsStack {
  readonly redis: RedisServer;
  readonly receiver: OtlpReceiver;
  /** Services to stop after the current test. */
  readonly running: Service[];
  /** The environment of a process on `queue`: this Redis, this receiver, a short batch delay. */
  env(queue: string, extra?: Record<string, string>): Record<string, string>;
}

/** Registers the hooks; the returned stack's redis and receiver are there from the first test on. */
export function useJobsStack(): JobsStack {
  let redis: RedisServer | undefined;
  let receiver: OtlpReceiver | undefined;
  const running: Service[] = [];
  beforeAll(async () => {
    [redis, receiver] = await Promise.all([startRedis(), startOtlpReceiver()]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map(service => service.stop()));
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), receiver?.close()]);
  });
  return {
    get redis() {
      return redis as RedisServer;
    },
    get receiver() {
      return receiver as OtlpReceiver;
    },
    running,
    env: (queue, extra = {}) => ({
      REDIS_PORT: String((redis as RedisServer).port),
      QUEUE: queue,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: (receiver as OtlpReceiver).tracesUrl,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...extra,
    }),
  };
}
