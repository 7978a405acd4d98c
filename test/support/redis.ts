/**
 * A real redis-server for a test file, through the example's helper
 * (examples/lost-and-stolen/redis.js), which the demo uses too: on a free
 * loopback port, with no persistence, stopped at the end. It needs Debian's
 * `redis-server` package; .ci/run installs it when missing, and a test
 * without it fails saying so.
 */
export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

const helper = require('../../examples/lost-and-stolen/redis.js') as { startRedis(): Promise<RedisServer | null> };

export async function startRedis(): Promise<RedisServer> {
  const redis = await helper.startRedis();
  if (redis === null) throw new Error('redis-server is not installed: apt-get install -y redis-server (see docs/jobs.md)');
  return redis;
}
