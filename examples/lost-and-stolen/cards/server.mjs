// The card service as an ES module: the same behaviour as server.js, with
// pino and node:http as default imports. No tracing code: the preload hooks
// `import` as it hooks `require`.
import http from 'node:http';
import pino from 'pino';

const log = pino();
const cards = new Map([['1234567890123456', { number: '1234567890123456', account: '123456', status: 'active' }]]);

const server = http.createServer((req, res) => {
  const match = /^\/cards\/(\d+)\/$/.exec(req.url);
  const card = match && cards.get(match[1]);
  log.info({ method: req.method, path: req.url }, 'request received');
  if (!card) return reply(res, 404, { error: 'no such card' });
  if (req.method === 'GET') return reply(res, 200, card);
  if (req.method === 'DELETE') {
    log.warn({ card: card.number }, 'card cancelled');
    return reply(res, 200, { ...card, status: 'cancelled' });
  }
  reply(res, 405, { error: 'method not allowed' });
});

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => log.info({ port: server.address().port }, 'listening'));
