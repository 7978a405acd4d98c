/**
 * The request API in a real service under `node -r ./register.js`:
 * currentRequest, addLogFields across continuations and concurrent requests
 * on kept-alive connections, and withLogFields around awaited work.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'api-app.js');
const CONCURRENT = 50;
const LINES_PER_FIELDS_REQUEST = 4;
let app: Service;

beforeAll(async () => {
  app = await startService('api-app', APP, { OTEL_TRACES_EXPORTER: 'none' });
}, 30_000);
afterAll(() => app.stop());

function get(url: string, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const linesOf = (requestId: string) => app.lines.filter((line: LogLine) => line.request_id === requestId);

test('outside a request the API returns undefined, adds nothing and runs the block plainly', async () => {
  const line = await app.waitForLine(l => l.msg === 'outside a request');
  expect(line).toMatchObject({ outside: true, plain: 'ran' });
  expect(line).not.toHaveProperty('ignored');
  expect(app.stderr).toMatch(/addLogFields was called outside any request/);
});

test('currentRequest returns the request id, chain and the trace and span ids the log lines carry', async () => {
  const agent = new http.Agent({ keepAlive: true });
  const { body } = await get(`${app.url}/fields?user=solo`, agent);
  agent.destroy();
  const request = JSON.parse(body) as { requestId: string; chain: string; traceId: string; spanId: string };
  expect(request.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(request.chain.startsWith(request.requestId)).toBe(true);
  expect(request.traceId).toBe(request.requestId.replace(/-/g, ''));
  const last = await app.waitForLine(line => line.request_id === request.requestId && line.msg === 'last line');
  expect(last).toMatchObject({ trace_id: request.traceId, span_id: request.spanId, request_chain: request.chain });
});

test(`addLogFields reaches every later line of its request and none of ${CONCURRENT} concurrent ones on kept-alive connections`, async () => {
  // Fewer sockets than requests: each connection carries several requests in turn.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const users = Array.from({ length: CONCURRENT }, (_, i) => `user-${i}`);
  const answers = await Promise.all(users.map(user => get(`${app.url}/fields?user=${user}`, agent)));
  agent.destroy();
  const ids = answers.map(answer => (JSON.parse(answer.body) as { requestId: string }).requestId);
  expect(new Set(ids).size).toBe(CONCURRENT);
  for (const [i, id] of ids.entries()) {
    await app.waitForLine(() => linesOf(id).length === LINES_PER_FIELDS_REQUEST);
    const byMessage = Object.fromEntries(linesOf(id).map(line => [line.msg, line]));
    expect(byMessage['before fields']).not.toHaveProperty('user');
    expect(byMessage['before fields']).not.toHaveProperty('tenant');
    expect(byMessage['after pause']).toMatchObject({ user: users[i], tenant: `tenant-of-${users[i]}` });
    expect(byMessage['after pause']).not.toHaveProperty('count');
    for (const later of ['in a later continuation', 'last line']) {
      expect(byMessage[later]).toMatchObject({ user: users[i], tenant: `override-${users[i]}`, count: 3 });
    }
  }
}, 60_000);

test('withLogFields applies inside the block and what it awaits, nests, and returns what the block returns', async () => {
  const agent = new http.Agent({ keepAlive: true });
  const { body } = await get(`${app.url}/with`, agent);
  agent.destroy();
  const { requestId } = JSON.parse(body) as { requestId: string };
  const after = await app.waitForLine(line => line.request_id === requestId && line.msg === 'after block');
  const lines = Object.fromEntries(linesOf(requestId).map(line => [line.msg, line]));
  expect(lines['inside block']).toMatchObject({ user: 'u1', step: 'inner' });
  expect(lines['inside block']).not.toHaveProperty('sub');
  expect(lines['inside nested block']).toMatchObject({ user: 'u1', step: 'nested', sub: 'deeper' });
  expect(after).toMatchObject({ user: 'u1', returned: 'returned value' });
  expect(after).not.toHaveProperty('step');
});
