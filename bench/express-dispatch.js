'use strict';
// CPU per request of the Express app's routing alone, in one process with no
// sockets: the app of apps/express-service.js (ten middlewares, a route in a
// router mounted in a router) without its pino line, each request made of an
// IncomingMessage and a ServerResponse on an unconnected socket and handed to
// `app.handle`. What a route-naming hook costs per layer shows here without
// the sockets, the export and the span around it; there is no server span, so
// nothing is named. Compare preloads by running it under each, alternated:
//
//   node scripts/on-node.js bench/express-dispatch.js
//   OTEL_TRACES_EXPORTER=none node scripts/on-node.js -r ./register.js bench/express-dispatch.js
//
// Prints the median and range over ROUNDS rounds of REQUESTS requests, in µs a request.
const { IncomingMessage, ServerResponse } = require('node:http');
const { Socket } = require('node:net');
const express = require('express');

const REQUESTS = Number(process.env.REQUESTS || 100_000);
const ROUNDS = 5;
const WARM_UP = 20_000;

const app = express();
app.disable('x-powered-by');
app.disable('etag');
for (let i = 0; i < 10; i++) {
  const name = `x-mw-${i}`;
  app.use((req, res, next) => {
    req[name] = i;
    next();
  });
}
let answered = 0;
const cards = express.Router();
cards.get('/:cardNumber', (req, res) => {
  answered++;
  res.end('ok');
});
cards.get('/:cardNumber/transactions/:transactionId', (req, res) => res.end('ok'));
const api = express.Router();
api.use('/cards', cards);
app.use('/api', api);
app.get('/users/:id', (req, res) => res.end('ok'));

const socket = new Socket();
function request() {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/api/cards/1234567890123456';
  req.headers = { host: 'bench' };
  app.handle(req, new ServerResponse(req), () => {
    throw new Error('the route did not answer');
  });
}

for (let i = 0; i < WARM_UP; i++) request();
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const start = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) request();
  const used = process.cpuUsage(start);
  rounds.push((used.user + used.system) / REQUESTS);
}
rounds.sort((a, b) => a - b);
if (answered !== WARM_UP + ROUNDS * REQUESTS) throw new Error(`${answered} requests answered`);
process.stdout.write(`${JSON.stringify({ microsPerRequest: rounds[ROUNDS >> 1], min: rounds[0], max: rounds[ROUNDS - 1] })}\n`);
