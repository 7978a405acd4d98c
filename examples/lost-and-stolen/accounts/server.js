'use strict';
// The account service: reads accounts and records replacement cards.
const http = require('node:http');
const pino = require('pino');

const log = pino();

const server = http.createServer((req, res) => {
  log.info({ method: req.method, path: req.url }, 'request received');
  const account = /^\/accounts\/(\d+)\/$/.exec(req.url);
  if (account && req.method === 'GET') return reply(res, 200, { id: account[1], holder: 'A. Customer' });
  const newCard = /^\/accounts\/(\d+)\/card\/$/.exec(req.url);
  if (newCard && req.method === 'POST') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      log.info({ account: newCard[1], bytes: body.length }, 'replacement card ordered');
      reply(res, 201, { account: newCard[1], replacement: 'ordered' });
    });
    return;
  }
  reply(res, 404, { error: 'not found' });
});

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => log.info({ port: server.address().port }, 'listening'));
