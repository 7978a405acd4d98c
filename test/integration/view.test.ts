/**
 * `tracehop view` as users run it (the bin, a child process): the three-service
 * chain exporting to it in protobuf and in JSON with its pino lines piped in,
 * then a malformed body, a port already taken, and the memory cap.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startChain } from '../support/services';
import { BIN, startView } from '../support/view-cli';
import { listenOnLoopback } from '../support/ports';
import type { SpanNode, TraceDocument } from '../../src/cli/view';

function all(nodes: readonly SpanNode[]): SpanNode[] {
  return nodes.flatMap(node => [node, ...all(node.children)]);
}

function post(url: string, contentType: string, body: Buffer | string): Promise<{ status: number; text: string }> {
  return fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body }).then(async response => ({
    status: response.status,
    text: await response.text(),
  }));
}

describe.each(['http/protobuf', 'http/json'])('tracehop view receiving the chain over %s', protocol => {
  test('one trace: one root, the nesting of the chain, each pino line under the span whose id it carries', async () => {
    // A quiet interval longer than the test: the trace is printed when the view is told to stop, once every
    // service has exited (and so flushed), never because one service's flush came late on a loaded machine.
    const view = await startView(['--json', '--quiet-ms', '600000']);
    try {
      const chain = await startChain({ OTEL_EXPORTER_OTLP_ENDPOINT: view.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
      const response = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, { method: 'POST' }).catch(async error => {
        await chain.stop();
        throw error;
      });
      await response.text();
      const requestId = response.headers.get('x-request-id') ?? '';
      // Each service's last line of the request; the gateway's comes after its answer.
      await Promise.all([
        chain.gateway.waitForLine(line => line.msg === 'card reported lost'),
        chain.cards.waitForLine(line => line.msg === 'card cancelled'),
        chain.accounts.waitForLine(line => line.msg === 'replacement card ordered'),
      ]);
      // The logs go in first, as a shell pipeline would give them; stopping the services then flushes their spans.
      const lines = chain.services.flatMap(service => service.lines.filter(line => line.request_id === requestId));
      for (const line of lines) view.child.stdin.write(`${JSON.stringify(line)}\n`);
      view.child.stdin.write('not json at all\n');
      await chain.stop();
      void view.stop();
      const out = await view.waitFor('stdout', /\n/);
      const docs = out
        .trim()
        .split('\n')
        .map(text => JSON.parse(text) as TraceDocument);
      expect(docs).toHaveLength(1);
      const [doc] = docs;
      expect(doc.traceId).toBe(requestId.replace(/-/g, ''));
      expect(doc.requestId).toBe(requestId);
      expect(doc.roots).toHaveLength(1);
      const [root] = doc.roots;
      expect(root).toMatchObject({ service: 'gateway', kind: 'server', name: 'POST', parentSpanId: null, status: { code: 'unset' } });
      // The gateway's four calls, in order, each with the server span of the service it called beneath it.
      expect(root.children.map(client => [client.kind, client.name, client.children.map(server => `${server.service} ${server.kind} ${server.name}`)])).toEqual(
        [
          ['client', 'GET', ['cards server GET']],
          ['client', 'GET', ['accounts server GET']],
          ['client', 'DELETE', ['cards server DELETE']],
          ['client', 'POST', ['accounts server POST']],
        ],
      );
      const spans = all(doc.roots);
      for (const span of spans) {
        expect(span).toEqual(
          expect.objectContaining({
            spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
            durationMs: expect.any(Number),
            attributes: expect.objectContaining({ 'request.id': requestId }),
          }),
        );
        for (const child of span.children) expect(child.parentSpanId).toBe(span.spanId);
        for (const record of span.logs) expect(record.span_id).toBe(span.spanId);
      }
      // Every line of the request is under exactly one span.
      expect(spans.reduce((sum, span) => sum + span.logs.length, 0)).toBe(lines.length);
      expect(root.logs.map(record => record.msg)).toEqual(['request received', 'card reported lost']);
      const deleteServer = root.children[2].children[0];
      expect(deleteServer.logs.map(record => record.msg)).toEqual(['request received', 'card cancelled']);
    } finally {
      expect(await view.stop()).toBe(0);
    }
  }, 90_000);
});

describe('tracehop view --logs', () => {
  test("a log file's lines, those written after start included, are attached to the span whose id they carry", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-view-logs-'));
    const file = path.join(dir, 'app.log');
    const spanId = 'b7ad6b7169203331';
    fs.writeFileSync(file, `${JSON.stringify({ level: 30, span_id: spanId, msg: 'before start' })}\nnot json\n`);
    // The quiet interval is many times the follower's 200 ms poll, so the file is read before the trace prints.
    const view = await startView(['--json', '--quiet-ms', '3000', '--logs', file]);
    try {
      fs.appendFileSync(file, `${JSON.stringify({ level: 40, span_id: spanId, msg: 'after start' })}\n`);
      const body = JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId, name: 'op', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2' }] },
            ],
          },
        ],
      });
      expect((await post(view.url, 'application/json', body)).status).toBe(200);
      const doc = JSON.parse((await view.waitFor('stdout', /\n/)).trim()) as TraceDocument;
      expect(doc.roots[0].logs.map(record => record.msg)).toEqual(['before start', 'after start']);
    } finally {
      expect(await view.stop()).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('tracehop view and log lines that come after their trace printed', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spanId = '00f067aa0ba902b7';
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cards' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                name: 'GET /cards/:id',
                kind: 2,
                startTimeUnixNano: '1000000',
                endTimeUnixNano: '3000000',
                attributes: [{ key: 'request.id', value: { stringValue: 'req-late-1' } }],
              },
            ],
          },
        ],
      },
    ],
  });
  const logLine = (extra: Record<string, unknown>): string =>
    `${JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 0, 5), request_id: 'req-late-1', trace_id: traceId, span_id: spanId, ...extra })}\n`;

  test('--json: a line before the trace prints is under its span; one after is a document of its own, {traceId, spanId, lateLog}', async () => {
    // The first line only has to be read within the quiet interval after the span, as a log pipe is.
    const view = await startView(['--json', '--quiet-ms', '1000']);
    try {
      view.child.stdin.write(logLine({ msg: 'request received' }));
      expect((await post(view.url, 'application/json', body)).status).toBe(200);
      const doc = JSON.parse((await view.waitFor('stdout', /\n/)).trim()) as TraceDocument;
      expect(doc.traceId).toBe(traceId);
      view.child.stdin.write(logLine({ msg: 'audit written', rows: 3 }));
      // A line of a trace never printed is not late: it waits for its spans.
      view.child.stdin.write(`${JSON.stringify({ level: 30, trace_id: 'f'.repeat(32), span_id: 'e'.repeat(16), msg: 'spans still to come' })}\n`);
      view.child.stdin.write(logLine({ msg: 'connection closed' }));
      const lines = (await view.waitFor('stdout', /connection closed.*\n/))
        .trim()
        .split('\n')
        .map(text => JSON.parse(text) as Record<string, unknown>);
      expect(lines).toHaveLength(3);
      expect((lines[0] as unknown as TraceDocument).roots[0].logs.map(record => record.msg)).toEqual(['request received']);
      expect(lines[1]).toEqual({ traceId, spanId, lateLog: JSON.parse(logLine({ msg: 'audit written', rows: 3 })) });
      expect(lines[2]).toMatchObject({ traceId, spanId, lateLog: { msg: 'connection closed' } });
    } finally {
      expect(await view.stop()).toBe(0);
    }
    expect(view.stdout()).not.toContain('spans still to come');
  }, 60_000);

  test('human output through a pipe: the late line marked late, with its request, trace and span ids, and no escape codes', async () => {
    const view = await startView(['--quiet-ms', '200']);
    try {
      expect((await post(view.url, 'application/json', body)).status).toBe(200);
      await view.waitFor('stdout', /request req-late-1/);
      view.child.stdin.write(logLine({ msg: 'audit written', rows: 3 }));
      const out = await view.waitFor('stdout', /audit written.*\n/);
      expect(out).toContain(`late log  request req-late-1  trace ${traceId}  span ${spanId}\n  · 12:00:00.005 info  audit written  rows=3\n`);
      expect(out).not.toContain('\u001b[');
    } finally {
      expect(await view.stop()).toBe(0);
    }
  }, 60_000);
});

describe('tracehop view on bad input', () => {
  test('a malformed body gets 400 and one line on stderr, and the receiver goes on accepting', async () => {
    const view = await startView(['--json', '--quiet-ms', '50']);
    try {
      const bad = await post(view.url, 'application/x-protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      expect(bad.status).toBe(400);
      const badJson = await post(view.url, 'application/json', '{"resourceSpans": [');
      expect(badJson.status).toBe(400);
      await view.waitFor('stderr', /refused an export \(400\): malformed OTLP\/JSON body/);
      expect(view.stderr().match(/refused an export/g)).toHaveLength(2);
      expect(view.stderr()).toMatch(/refused an export \(400\): malformed OTLP protobuf body: protobuf: truncated input/);
      const good = await post(
        view.url,
        'application/json',
        JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: '0af7651916cd43dd8448eb211c80319c',
                      spanId: 'b7ad6b7169203331',
                      name: 'work',
                      kind: 1,
                      startTimeUnixNano: '1000000',
                      endTimeUnixNano: '3000000',
                      status: { code: 2, message: 'boom' },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
      expect(good.status).toBe(200);
      const doc = JSON.parse((await view.waitFor('stdout', /\n/)).trim()) as TraceDocument;
      expect(doc.roots[0]).toMatchObject({ service: 'svc', name: 'work', kind: 'internal', durationMs: 2, status: { code: 'error', message: 'boom' } });
    } finally {
      expect(await view.stop()).toBe(0);
    }
  }, 60_000);

  test('a port already taken: one line naming it, exit status 1, no stack trace', async () => {
    const holder = http.createServer();
    const port = await listenOnLoopback(holder);
    try {
      const run = spawnSync(process.execPath, [BIN, 'view', '--port', String(port)], { encoding: 'utf8', timeout: 30_000, input: '' });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`tracehop view: 127.0.0.1:${port} is already in use (a collector or another viewer?); choose another with --port\n`);
      expect(run.stdout).toBe('');
    } finally {
      await new Promise(resolve => holder.close(resolve));
    }
  }, 60_000);

  test('past --max-traces the oldest pending traces are evicted and counted, the newest still printed', async () => {
    const view = await startView(['--json', '--quiet-ms', '60000', '--max-traces', '3']);
    const spanOf = (i: number) => ({
      traceId: i.toString(16).padStart(32, '0'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: `t${i}`,
      kind: 2,
      startTimeUnixNano: '1000000',
      endTimeUnixNano: '2000000',
    });
    try {
      for (let i = 1; i <= 10; i++) {
        const response = await post(view.url, 'application/json', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [spanOf(i)] }] }] }));
        expect(response.status).toBe(200);
      }
    } finally {
      expect(await view.stop()).toBe(0);
    }
    const docs = view
      .stdout()
      .trim()
      .split('\n')
      .map(text => JSON.parse(text) as TraceDocument);
    expect(docs.map(doc => doc.roots[0].name)).toEqual(['t8', 't9', 't10']);
    expect(view.stderr()).toMatch(/evicted over the caps: 7 trace\(s\), 7 span\(s\), 0 log record\(s\)/);
  }, 60_000);
});
