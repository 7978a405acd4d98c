'use strict';
// The Express scenario's service: ten middlewares (the kind an app stacks up:
// request id, timing, headers, a body-parser-like no-op, auth, ...) in front of
// parameterised routes in a nested router, one pino line per request. Stats
// over IPC, as in service.js.
const express = require('express');
const pino = require('pino');
const { serve } = require('./ipc');

const logger = pino();
let served = 0;
const app = express();
app.disable('x-powered-by');
for (let i = 0; i < 10; i++) {
  const name = `x-mw-${i}`;
  app.use((req, res, next) => {
    req[name] = i;
    next();
  });
}
const cards = express.Router();
cards.get('/:cardNumber', (req, res) => {
  served++;
  logger.info({ method: req.method, card: req.params.cardNumber.length }, 'request received');
  res.json({ ok: true });
});
cards.get('/:cardNumber/transactions/:transactionId', (req, res) => res.json({ ok: true }));
const api = express.Router();
api.use('/cards', cards);
app.use('/api', api);
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));

serve({
  stats: () => {
    const memory = process.memoryUsage();
    return { cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed, served };
  },
});

const server = app.listen(0, '127.0.0.1', () => {
  // The modules in the require cache, as apps/service.js counts them.
  process.send({
    type: 'listening',
    port: server.address().port,
    cpu: process.cpuUsage(),
    rss: process.memoryUsage.rss(),
    modules: Object.keys(require.cache).length,
  });
});
