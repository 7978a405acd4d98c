import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, isTracingSuppressed } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { reporter } from '../../../src/diag';
import { ExportPipeline } from '../../../src/export/export-pipeline';
import { HoldingSpanExporter } from '../../../src/export/holding-span-exporter';
import { ExportStats, describeExportStats } from '../../../src/export/export-stats';
import type { ExportStatsSnapshot } from '../../../src/export/export-stats';
import type { SyncSender } from '../../../src/export/exit-hand-off';

function span(sampled = true): ReadableSpan {
  return {
    spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: sampled ? 1 : 0 }),
    resource: { asyncAttributesPending: false },
  } as unknown as ReadableSpan;
}

/** An exporter that answers only when told to, and records what it saw. */
class HeldExporter implements SpanExporter {
  readonly batches: Array<{ spans: ReadableSpan[]; answer: (result: ExportResult) => void; suppressed: boolean }> = [];
  export(spans: ReadableSpan[], answer: (result: ExportResult) => void): void {
    this.batches.push({ spans, answer, suppressed: isTracingSuppressed(context.active()) });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const nextTurn = () => new Promise(resolve => setImmediate(resolve));
const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
const FAILED: ExportResult = { code: ExportResultCode.FAILED, error: new Error('collector said no') };

const exporters: HeldExporter[] = [];

function pipeline(maxQueueSize: number, maxExportBatchSize: number, exitSender?: SyncSender) {
  const exporter = new HeldExporter();
  exporters.push(exporter);
  const built = new ExportPipeline(
    'otlp',
    exporter,
    { maxQueueSize, maxExportBatchSize, scheduledDelayMillis: 600_000, exportTimeoutMillis: 600_000 },
    exitSender,
  );
  return { exporter, pipeline: built, stats: () => built.stats.snapshot() };
}

function unsent(stats: ExportStatsSnapshot): number {
  return stats.queued + stats.inFlight;
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
afterAll(() => context.disable());
afterEach(async () => {
  jest.restoreAllMocks();
  // Answering every held batch clears the batch processor's export timers.
  for (const exporter of exporters.splice(0)) {
    let answered = 0;
    for (;;) {
      // A batch reaches the exporter a turn after the processor starts it.
      await nextTurn();
      await nextTurn();
      if (exporter.batches.length === answered) break;
      for (const batch of exporter.batches.slice(answered)) batch.answer(SUCCESS);
      answered = exporter.batches.length;
    }
  }
});

describe('ExportStats', () => {
  const table: Array<[string, (stats: ExportStats) => void, Partial<ExportStatsSnapshot>]> = [
    ['a span admitted waits in the queue', s => s.admit(), { created: 1, queued: 1, peakQueued: 1, dropped: 0 }],
    [
      'spans beyond the queue limit are dropped and counted',
      s => {
        for (let i = 0; i < 5; i++) s.admit();
      },
      { created: 5, queued: 3, droppedQueueFull: 2, dropped: 2, peakQueued: 3 },
    ],
    [
      'a batch taken for export is in flight, no longer queued',
      s => {
        s.admit();
        s.admit();
        s.taken(2);
      },
      { queued: 0, inFlight: 2, peakQueued: 2 },
    ],
    [
      'an exported batch is counted as exported',
      s => {
        s.admit();
        s.taken(1);
        s.settled(1, true);
      },
      { exported: 1, inFlight: 0, dropped: 0 },
    ],
    [
      'a failed batch is counted as dropped by export',
      s => {
        s.admit();
        s.taken(1);
        s.settled(1, false);
      },
      { exported: 0, droppedExportFailed: 1, dropped: 1 },
    ],
    ['a span ending after shutdown is counted as dropped', s => s.endedAfterShutdown(), { created: 1, droppedAfterShutdown: 1, dropped: 1, queued: 0 }],
    [
      'room freed by an export is used again',
      s => {
        for (let i = 0; i < 4; i++) s.admit();
        s.taken(3);
        s.admit();
      },
      { created: 5, queued: 1, inFlight: 3, droppedQueueFull: 1 },
    ],
  ];

  test.each(table)('%s', (_title, run, expected) => {
    const stats = new ExportStats(3);
    run(stats);
    expect(stats.snapshot()).toMatchObject(expected);
  });

  test('created always equals exported + dropped + unsent, and the queue never exceeds its limit', () => {
    const operation = fc.oneof(
      fc.constant({ kind: 'end' as const }),
      fc.constant({ kind: 'after-shutdown' as const }),
      fc.record({ kind: fc.constant('take' as const), count: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('settle' as const), ok: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(operation, { maxLength: 200 }), (limit, operations) => {
        const stats = new ExportStats(limit);
        const batches: number[] = [];
        for (const op of operations) {
          const now = stats.snapshot();
          if (op.kind === 'end') stats.admit();
          else if (op.kind === 'after-shutdown') stats.endedAfterShutdown();
          else if (op.kind === 'take' && now.queued > 0) {
            const count = Math.min(op.count, now.queued);
            stats.taken(count);
            batches.push(count);
          } else if (op.kind === 'settle' && batches.length > 0) stats.settled(batches.shift() as number, op.ok);
          const after = stats.snapshot();
          expect(after.created).toBe(after.exported + after.dropped + unsent(after));
          expect(after.queued).toBeLessThanOrEqual(limit);
        }
      }),
    );
  });

  test('the description names every count', () => {
    const stats = new ExportStats(100);
    for (let i = 0; i < 3; i++) stats.admit();
    stats.taken(2);
    stats.settled(2, true);
    stats.endedAfterShutdown();
    expect(describeExportStats(stats.snapshot())).toBe(
      '4 created, 2 exported, 1 dropped (0 queue full, 0 export failed, 1 after shutdown), 1 unsent; queue peak 3 of 100',
    );
  });
});

describe('the counted pipeline', () => {
  test('the queue limit is enforced by the batch processor, and every span is accounted for', async () => {
    const { exporter, pipeline: built, stats } = pipeline(4, 2);
    for (let i = 0; i < 10; i++) built.processor.onEnd(span());
    // Two went out as a full batch, four wait, four found the queue full.
    expect(stats()).toMatchObject({ created: 10, inFlight: 2, queued: 4, droppedQueueFull: 4 });
    await nextTurn();
    expect(exporter.batches).toHaveLength(1);
    exporter.batches[0].answer(SUCCESS);
    await nextTurn();
    await nextTurn();
    exporter.batches[1].answer(FAILED);
    await nextTurn();
    await nextTurn();
    exporter.batches[2].answer(SUCCESS);
    expect(stats()).toMatchObject({ created: 10, exported: 4, droppedExportFailed: 2, droppedQueueFull: 4, queued: 0, inFlight: 0, peakQueued: 4 });
  });

  test('unsampled spans are neither counted nor exported', async () => {
    const { exporter, pipeline: built, stats } = pipeline(4, 1);
    built.processor.onEnd(span(false));
    await nextTurn();
    expect(stats().created).toBe(0);
    expect(exporter.batches).toHaveLength(0);
  });

  test('a span that ends after shutdown began is counted as dropped', async () => {
    const { pipeline: built, stats } = pipeline(4, 4);
    const shutdown = built.processor.shutdown();
    built.processor.onEnd(span());
    await shutdown;
    expect(stats()).toMatchObject({ created: 1, droppedAfterShutdown: 1 });
  });

  test('the queue-full report is made once per episode of drops', () => {
    const warn = jest.spyOn(reporter, 'warn').mockImplementation(() => undefined);
    const { pipeline: built } = pipeline(2, 2);
    for (let i = 0; i < 6; i++) built.processor.onEnd(span());
    expect(warn.mock.calls.filter(([kind]) => kind === 'queue full')).toHaveLength(1);
  });

  test('shutdown waits for the batch it flushed, even while the resource is still settling', async () => {
    const { exporter, pipeline: built } = pipeline(4, 4);
    let settle = () => undefined as void;
    const resource = {
      asyncAttributesPending: true,
      waitForAsyncAttributes: () =>
        new Promise<void>(resolve => {
          settle = () => {
            resource.asyncAttributesPending = false;
            resolve();
          };
        }),
    };
    built.processor.onEnd({ spanContext: span().spanContext, resource } as unknown as ReadableSpan);
    let finished = false;
    const shutdown = built.processor.shutdown().then(() => {
      finished = true;
    });
    await nextTurn();
    expect(finished).toBe(false);
    settle();
    await nextTurn();
    await nextTurn();
    expect(exporter.batches).toHaveLength(1);
    expect(finished).toBe(false);
    exporter.batches[0].answer(SUCCESS);
    await shutdown;
  });
});

describe('the hand-off at exit', () => {
  test('spans still queued leave synchronously, in one request, and count as exported', () => {
    const sent: number[] = [];
    const {
      exporter,
      pipeline: built,
      stats,
    } = pipeline(100, 50, spans => {
      sent.push(spans.length);
      return true;
    });
    for (let i = 0; i < 7; i++) built.processor.onEnd(span());
    built.handOffAtExit();
    expect(sent).toEqual([7]);
    expect(exporter.batches).toHaveLength(0);
    expect(stats()).toMatchObject({ created: 7, exported: 7, queued: 0, inFlight: 0 });
  });

  test('a batch handed to an exporter that made no request yet is sent again: not one byte of it left (holding-span-exporter.ts)', async () => {
    const sent: number[] = [];
    const {
      exporter,
      pipeline: built,
      stats,
    } = pipeline(100, 2, spans => {
      sent.push(spans.length);
      return true;
    });
    built.processor.onEnd(span());
    built.processor.onEnd(span());
    await nextTurn();
    expect(exporter.batches).toHaveLength(1);
    built.processor.onEnd(span());
    built.handOffAtExit();
    expect(sent).toEqual([3]);
    expect(stats()).toMatchObject({ created: 3, exported: 3, inFlight: 0 });
  });

  test("spans the app's own signal handler leaves behind in the same tick are still handed off", () => {
    const sent: number[] = [];
    const { pipeline: built, stats } = pipeline(100, 50, spans => {
      sent.push(spans.length);
      return true;
    });
    for (let i = 0; i < 3; i++) built.processor.onEnd(span());
    void built.processor.shutdown();
    built.handOffAtExit();
    expect(sent).toEqual([3]);
    expect(stats()).toMatchObject({ exported: 3, queued: 0, inFlight: 0 });
  });

  test('a batch shutdown took while the resource still settles is handed off at exit, and never exported after', async () => {
    const sent: number[] = [];
    const {
      exporter,
      pipeline: built,
      stats,
    } = pipeline(100, 2, spans => {
      sent.push(spans.length);
      return true;
    });
    let settle = () => undefined as void;
    const resource = {
      asyncAttributesPending: true,
      waitForAsyncAttributes: () =>
        new Promise<void>(resolve => {
          settle = () => {
            resource.asyncAttributesPending = false;
            resolve();
          };
        }),
    };
    for (let i = 0; i < 3; i++) built.processor.onEnd({ spanContext: span().spanContext, resource } as unknown as ReadableSpan);
    const shutdown = built.processor.shutdown();
    built.handOffAtExit();
    expect(sent).toEqual([3]);
    expect(stats()).toMatchObject({ created: 3, exported: 3, queued: 0, inFlight: 0 });
    await shutdown;
    settle();
    await nextTurn();
    await nextTurn();
    expect(exporter.batches).toHaveLength(0);
    expect(stats()).toMatchObject({ created: 3, exported: 3, dropped: 0, queued: 0, inFlight: 0 });
  });

  test('a hand-off that fails or throws counts its spans as export failures', () => {
    for (const sender of [
      () => false,
      () => {
        throw new Error('spawn failed');
      },
    ]) {
      const { pipeline: built, stats } = pipeline(100, 50, sender);
      built.processor.onEnd(span());
      built.handOffAtExit();
      expect(stats()).toMatchObject({ created: 1, exported: 0, droppedExportFailed: 1, queued: 0 });
    }
  });

  test('without an exit sender nothing is sent and the spans stay counted as unsent', () => {
    const { pipeline: built, stats } = pipeline(100, 50);
    built.processor.onEnd(span());
    built.handOffAtExit();
    expect(unsent(stats())).toBe(1);
  });
});

describe('answers', () => {
  test('an exporter that answers twice is counted once', async () => {
    const { exporter, pipeline: built, stats } = pipeline(10, 1);
    built.processor.onEnd(span());
    await nextTurn();
    exporter.batches[0].answer(SUCCESS);
    exporter.batches[0].answer(FAILED);
    expect(stats()).toMatchObject({ exported: 1, droppedExportFailed: 0, inFlight: 0 });
  });

  test("the exporter's own request runs with tracing suppressed, even when shutdown drains it", async () => {
    const inner = new HeldExporter();
    const exporter = new HoldingSpanExporter(inner);
    exporter.export([span()], () => undefined);
    const shutdown = exporter.shutdown();
    expect(inner.batches.map(batch => batch.suppressed)).toEqual([true]);
    inner.batches[0].answer(SUCCESS);
    await shutdown;
  });

  test('an exporter that throws fails the batch instead of the app', async () => {
    const throwing: SpanExporter = {
      export: () => {
        throw new Error('encoder broke');
      },
      shutdown: () => Promise.resolve(),
    };
    const built = new ExportPipeline('otlp', throwing, {
      maxQueueSize: 10,
      maxExportBatchSize: 1,
      scheduledDelayMillis: 600_000,
      exportTimeoutMillis: 600_000,
    });
    built.processor.onEnd(span());
    await nextTurn();
    expect(built.stats.snapshot()).toMatchObject({ droppedExportFailed: 1, inFlight: 0 });
  });
});
