/**
 * The holding exporter hands a batch to the exporter after at least one
 * turn of the event loop; where the exporter encodes ahead, after one
 * encoding step per turn, and forceFlush hands over everything at once.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { EncodingSteps } from '../../../src/export';
import { HoldingSpanExporter } from '../../../src/export/holding-span-exporter';

const turn = () => new Promise<void>(resolve => setImmediate(resolve));

class RecordingExporter implements SpanExporter {
  readonly exported: ReadableSpan[][] = [];
  readonly stepsTaken: number[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.exported.push(spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  encodeAhead?(spans: ReadableSpan[]): EncodingSteps;
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function encodingAhead(stepsPerBatch: number): RecordingExporter {
  const exporter = new RecordingExporter();
  exporter.encodeAhead = () => {
    let left = stepsPerBatch;
    const index = exporter.stepsTaken.push(0) - 1;
    return {
      step: () => {
        exporter.stepsTaken[index]++;
        return --left <= 0;
      },
    };
  };
  return exporter;
}

const batch = (n: number) => Array.from({ length: n }, () => ({}) as ReadableSpan);

test('a batch is handed over one turn after export, not during it', async () => {
  const exporter = new RecordingExporter();
  const holding = new HoldingSpanExporter(exporter);
  holding.export(batch(3), () => {});
  expect(exporter.exported).toHaveLength(0);
  await turn();
  expect(exporter.exported).toHaveLength(1);
});

test('with encoding ahead, each turn takes one step, and batches go in order once encoded', async () => {
  const exporter = encodingAhead(3);
  const holding = new HoldingSpanExporter(exporter);
  const first = batch(1);
  const second = batch(1);
  holding.export(first, () => {});
  holding.export(second, () => {});
  const seen: Array<[number, number[]]> = [];
  for (let i = 0; i < 7; i++) {
    await turn();
    seen.push([exporter.exported.length, [...exporter.stepsTaken]]);
  }
  expect(seen).toEqual([
    [0, [1, 0]],
    [0, [2, 0]],
    [1, [3, 0]],
    [1, [3, 1]],
    [1, [3, 2]],
    [2, [3, 3]],
    [2, [3, 3]],
  ]);
  expect(exporter.exported).toEqual([first, second]);
});

test('forceFlush hands over a batch still being encoded, at once, and the steps left are never taken', async () => {
  const exporter = encodingAhead(4);
  const holding = new HoldingSpanExporter(exporter);
  const spans = batch(2);
  holding.export(spans, () => {});
  await turn();
  await holding.forceFlush();
  expect(exporter.exported).toEqual([spans]);
  await turn();
  await turn();
  expect(exporter.stepsTaken).toEqual([1]);
  expect(exporter.exported).toHaveLength(1);
});

test('a batch still being encoded at exit goes to the exit sender, and never to the exporter too', async () => {
  const exporter = encodingAhead(4);
  const holding = new HoldingSpanExporter(exporter);
  const spans = batch(2);
  const results: ExportResult[] = [];
  holding.export(spans, result => results.push(result));
  await turn();
  const sent: ReadableSpan[][] = [];
  holding.sendUnsentSync(all => {
    sent.push(all);
    return true;
  });
  expect(sent).toEqual([spans]);
  expect(results.map(r => r.code)).toEqual([ExportResultCode.SUCCESS]);
  for (let i = 0; i < 5; i++) await turn();
  expect(exporter.exported).toHaveLength(0);
});

test("at exit, the held batches and the processor's queue go in one request, each told the outcome", async () => {
  const exporter = new RecordingExporter();
  const holding = new HoldingSpanExporter(exporter);
  const held = batch(2);
  const queued = batch(3);
  const results: string[] = [];
  holding.export(held, result => results.push(`held ${result.code}`));
  const sent: ReadableSpan[][] = [];
  holding.sendUnsentSync(
    all => {
      sent.push(all);
      return false;
    },
    { items: queued, done: result => results.push(`queued ${result.code}`) },
  );
  expect(sent).toEqual([[...held, ...queued]]);
  expect(results).toEqual([`held ${ExportResultCode.FAILED}`, `queued ${ExportResultCode.FAILED}`]);
  await turn();
  expect(exporter.exported).toHaveLength(0);
});

describe('a batch handed over stays re-sendable until its request reaches the wire', () => {
  const http = require('node:http') as typeof import('node:http');
  const net = require('node:net') as typeof import('node:net');

  test('a batch the exporter holds without a request is sent by the hand-off, and its late answer is ignored', async () => {
    let answer: ((result: ExportResult) => void) | undefined;
    const exporter = {
      export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => {
        answer = done;
      },
      shutdown: () => Promise.resolve(),
    };
    const holding = new HoldingSpanExporter<ReadableSpan>(exporter);
    const outcomes: ExportResultCode[] = [];
    const spans = batch(2);
    let itemsSent = 0;
    holding.export(
      spans,
      result => outcomes.push(result.code),
      () => itemsSent++,
    );
    await turn();
    expect(answer).toBeDefined();
    // No request: its items stay, for the hand-off.
    expect(itemsSent).toBe(0);
    const sent: ReadableSpan[][] = [];
    holding.sendUnsentSync(items => {
      sent.push(items);
      return true;
    });
    expect(sent).toEqual([spans]);
    answer?.({ code: ExportResultCode.FAILED });
    expect(outcomes).toEqual([ExportResultCode.SUCCESS]);
  });

  test('a batch whose request is connected is left to the exporter: it may have arrived', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server = net.createServer(socket => {
      sockets.push(socket);
      socket.resume();
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    let request: import('node:http').ClientRequest | undefined;
    let onConnect: () => void = () => undefined;
    const connected = new Promise<void>(resolve => {
      onConnect = resolve;
    });
    const exporter = {
      export: () => {
        request = http.request({ host: '127.0.0.1', port, method: 'POST' });
        request.on('error', () => undefined);
        request.on('socket', socket => socket.once('connect', () => setImmediate(onConnect)));
        request.end('body');
      },
      shutdown: () => Promise.resolve(),
    };
    const holding = new HoldingSpanExporter<ReadableSpan>(exporter);
    let itemsSent = 0;
    holding.export(
      batch(1),
      () => undefined,
      () => itemsSent++,
    );
    await connected;
    // Its items are let go: only the exporter sends it now, from the bytes it made.
    expect(itemsSent).toBe(1);
    const sent: ReadableSpan[][] = [];
    holding.sendUnsentSync(items => {
      sent.push(items);
      return true;
    });
    expect(sent).toEqual([]);
    await turn();
    request?.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise(resolve => server.close(resolve));
  });
  test('a batch on the wire is not kept alive by the holding exporter while its answer is awaited', async () => {
    // A full collection on demand, to see what the exporter still reaches.
    require('node:v8').setFlagsFromString('--expose-gc');
    const collect = require('node:vm').runInNewContext('gc') as () => void;
    const sockets: import('node:net').Socket[] = [];
    // Takes the request and never answers it: the batch stays in flight.
    const server = net.createServer(socket => {
      sockets.push(socket);
      socket.resume();
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    let request: import('node:http').ClientRequest | undefined;
    let onConnect: () => void = () => undefined;
    const connected = new Promise<void>(resolve => {
      onConnect = resolve;
    });
    const exporter = {
      export: () => {
        request = http.request({ host: '127.0.0.1', port, method: 'POST' });
        request.on('error', () => undefined);
        request.on('socket', socket => socket.once('connect', () => setImmediate(onConnect)));
        request.end('body');
      },
      shutdown: () => Promise.resolve(),
    };
    const holding = new HoldingSpanExporter<ReadableSpan>(exporter);
    const answers: ExportResultCode[] = [];
    // Made in a function of its own, so that no variable of this test holds the span.
    const watched = ((): WeakRef<object> => {
      const spans = batch(1);
      holding.export(spans, result => answers.push(result.code));
      return new WeakRef(spans[0]);
    })();
    try {
      await connected;
      // A WeakRef keeps its target to the end of the job that made or read it.
      await turn();
      collect();
      expect(watched.deref()).toBeUndefined();
      expect(answers).toEqual([]);
    } finally {
      request?.destroy();
      for (const socket of sockets) socket.destroy();
    }
    await new Promise(resolve => server.close(resolve));
  });
});
