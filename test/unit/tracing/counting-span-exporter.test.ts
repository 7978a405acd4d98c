/**
 * The counting exporter hands a batch to the exporter after at least one
 * turn of the event loop; where the exporter encodes ahead, after one
 * encoding step per turn, and forceFlush hands over everything at once.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { EncodingSteps } from '../../../src/export';
import { CountingSpanExporter } from '../../../src/tracing/counting-span-exporter';
import { ExportStats } from '../../../src/tracing/export-stats';

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
    return { step: () => { exporter.stepsTaken[index]++; return --left <= 0; } };
  };
  return exporter;
}

const batch = (n: number) => Array.from({ length: n }, () => ({}) as ReadableSpan);

test('a batch is handed over one turn after export, not during it', async () => {
  const exporter = new RecordingExporter();
  const counting = new CountingSpanExporter(exporter, new ExportStats(2048));
  counting.export(batch(3), () => {});
  expect(exporter.exported).toHaveLength(0);
  await turn();
  expect(exporter.exported).toHaveLength(1);
});

test('with encoding ahead, each turn takes one step, and batches go in order once encoded', async () => {
  const exporter = encodingAhead(3);
  const counting = new CountingSpanExporter(exporter, new ExportStats(2048));
  const first = batch(1);
  const second = batch(1);
  counting.export(first, () => {});
  counting.export(second, () => {});
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
  const counting = new CountingSpanExporter(exporter, new ExportStats(2048));
  const spans = batch(2);
  counting.export(spans, () => {});
  await turn();
  await counting.forceFlush();
  expect(exporter.exported).toEqual([spans]);
  await turn();
  await turn();
  expect(exporter.stepsTaken).toEqual([1]);
  expect(exporter.exported).toHaveLength(1);
});

test('a batch still being encoded at exit goes to the exit sender, and never to the exporter too', async () => {
  const exporter = encodingAhead(4);
  const counting = new CountingSpanExporter(exporter, new ExportStats(2048));
  const spans = batch(2);
  const results: ExportResult[] = [];
  counting.export(spans, result => results.push(result));
  await turn();
  const sent: ReadableSpan[][] = [];
  counting.sendUnsentSync(all => { sent.push(all); return true; });
  expect(sent).toEqual([spans]);
  expect(results.map(r => r.code)).toEqual([ExportResultCode.SUCCESS]);
  for (let i = 0; i < 5; i++) await turn();
  expect(exporter.exported).toHaveLength(0);
});
