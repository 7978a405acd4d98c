'use strict';
// The edge service. POST /cards/lost_and_stolen/ cancels a card and orders a
// replacement, calling the card and account services in order, with both
// http.request and the global fetch. No tracing code: the preload adds it.
const http = require('node:http');
const pino = require('pino');

const log = pino();
const CARDS_URL = process.env.CARDS_URL;
const ACCOUNTS_URL = process.env.ACCOUNTS_URL;
// With a Redis (the demo starts one), the replacement card letter is a background job.
const letters = process.env.REDIS_PORT
  ? new (require('bullmq').Queue)('letters', { connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) } })
  : undefined;

const server = http.createServer((req, res) => {
  log.info({ method: req.method, path: req.url }, 'request received');
  if (req.method === 'POST' && req.url === '/cards/lost_and_stolen/') {
    reportLostCard('1234567890123456').then(
      result => reply(res, 200, result),
      error => {
        log.error({ err: error }, 'lost-and-stolen failed');
        reply(res, 502, { error: 'a downstream service failed' });
      },
    );
    return;
  }
  if (req.url === '/boom') {
    log.error({ err: new Error('boom') }, 'handler failed');
    return reply(res, 500, { error: 'internal error' });
  }
  reply(res, 404, { error: 'not found' });
});

async function reportLostCard(number) {
  const card = await httpJson('GET', `${CARDS_URL}/cards/${number}/`);
  const account = await fetchJson('GET', `${ACCOUNTS_URL}/accounts/${card.account}/`);
  await httpJson('DELETE', `${CARDS_URL}/cards/${number}/`);
  const replacement = await fetchJson('POST', `${ACCOUNTS_URL}/accounts/${account.id}/card/`, { reason: 'lost' });
  log.info({ card: number, account: account.id }, 'card reported lost');
  if (letters) await letters.add('send-replacement-letter', { card: number });
  return { card: number, status: 'cancelled', replacement: replacement.replacement };
}

function httpJson(method, url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', chunk => {
        body += chunk;
      });
      res.on('end', () => (res.statusCode < 400 ? resolve(JSON.parse(body)) : reject(new Error(`${method} ${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function fetchJson(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status}`);
  return res.json();
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => log.info({ port: server.address().port }, 'listening'));
