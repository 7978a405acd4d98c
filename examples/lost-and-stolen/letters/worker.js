'use strict';
// The letters worker: a BullMQ Worker on the `letters` queue. The gateway
// queues "send the replacement card letter"; this job sends it and queues a
// follow-up job. No tracing code: the preload carries the request into both.
const pino = require('pino');
const { Queue, Worker } = require('bullmq');

const log = pino();
const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) };
const letters = new Queue('letters', { connection });

const processors = {
  async 'send-replacement-letter'(job) {
    log.info({ card: job.data.card }, 'replacement card letter sent');
    await letters.add('check-card-activated', { card: job.data.card });
  },
  async 'check-card-activated'(job) {
    log.info({ card: job.data.card }, 'follow-up: activation check scheduled');
  },
};

const worker = new Worker('letters', job => processors[job.name](job), { connection });
// A graceful stop: close the worker and the queue, then let the event loop
// drain, so the process ends on its own (and tracehop flushes as it does).
process.on('SIGTERM', async () => {
  await worker.close();
  await letters.close();
});
worker.waitUntilReady().then(() => log.info({ port: 0 }, 'listening'));
