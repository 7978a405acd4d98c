/**
 * The example's background job: the gateway queues the replacement card
 * letter on BullMQ, the letters worker sends it and queues a follow-up, all
 * in the lost-card request.
 */
import * as path from 'node:path';
import { startRedis } from '../support/redis';
import type { RedisServer } from '../support/redis';
import { startChain, startService } from '../support/services';

const WORKER = path.join(__dirname, '..', '..', 'examples', 'lost-and-stolen', 'letters', 'worker.js');
let redis: RedisServer;

jest.setTimeout(60_000);

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

test("a lost card's letter job and its follow-up log the request's id, with job_id and parent_job_id", async () => {
  const env = { OTEL_TRACES_EXPORTER: 'none', REDIS_PORT: String(redis.port) };
  const [chain, letters] = await Promise.all([startChain(env), startService('letters', WORKER, env)]);
  try {
    const res = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, { method: 'POST' });
    await res.text();
    const requestId = res.headers.get('x-request-id');
    const sent = await letters.waitForLine(line => line.msg === 'replacement card letter sent', 20_000);
    const followUp = await letters.waitForLine(line => String(line.msg).startsWith('follow-up'), 20_000);
    expect(sent.request_id).toBe(requestId);
    expect(followUp.request_id).toBe(requestId);
    expect(sent.parent_job_id).toBeUndefined();
    expect(followUp.parent_job_id).toBe(sent.job_id);
    expect(String(followUp.request_chain).startsWith(`${sent.request_chain},`)).toBe(true);
    const gatewayLine = await chain.gateway.waitForLine(line => line.msg === 'card reported lost');
    expect(String(sent.request_chain).startsWith(`${gatewayLine.request_chain},`)).toBe(true);
  } finally {
    await Promise.all([chain.stop(), letters.stop()]);
  }
});
