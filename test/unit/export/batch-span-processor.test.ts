/**
 * tracehop's batch span processor against a fake exporter, with Jest's fake
 * timers for the delay and the export timeout: when batches go, what they
 * hold, and that every span is counted (created = exported + dropped + unsent).
 */
import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, setGlobalErrorHandler, loggingErrorHandler } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reporter } from '../../../src/diag';
import { BatchSpanProcessor, TakenBatch } from '../../../src/export/batch-span-processor';
import type { ItemExporter } from '../../../src/export/batch-span-processor';
import { ExportStats } from '../../../src/export/export-stats';
import type { ExportStatsSnapshot } from '../../../src/export/export-stats';

const settledResource = { asyncAttributesPending: false } as unknown as Resource;

function span(name: string, options: { sampled?: boolean; resource?: Resource } = {}): ReadableSpan {
  return {
    name,
    spanContext: () => ({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: options.sampled === false ? TraceFlags.NONE : TraceFlags.SAMPLED,
    }),
    resource: options.resource ?? settledResource,
  } as unknown as ReadableSpan;
}

/** Records each batch, and answers only when told to. */
class FakeExporter implements ItemExporter<ReadableSpan> {
  readonly batches: Array<{ names: string[]; answer: (result: ExportResult) => void }> = [];
  flushed = 0;
  shutDown = 0;
  export(spans: ReadableSpan[], answer: (result: ExportResult) => void): void {
    this.batches.push({ names: spans.map(s => s.name), answer });
  }
  forceFlush(): Promise<void> {
    this.flushed++;
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.shutDown++;
    return Promise.resolve();
  }
  answerAll(result: ExportResult = SUCCESS): void {
    for (const batch of this.batches) batch.answer(result);
  }
}

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
const FAILED: ExportResult = { code: ExportResultCode.FAILED, error: new Error('collector said no') };

interface Options {
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
}

function setUp(options: Options = {}) {
  const exporter = new FakeExporter();
  const batch = { maxQueueSize: 8, maxExportBatchSize: 4, scheduledDelayMillis: 1000, exportTimeoutMillis: 5000, ...options };
  const stats = new ExportStats(batch.maxQueueSize);
  const processor = new BatchSpanProcessor<ReadableSpan>(exporter, batch, stats, s => s);
  const end = (...names: string[]) => names.forEach(name => processor.onEnd(span(name)));
  return { exporter, processor, stats, end, counts: () => stats.snapshot() };
}

function balanced(counts: ExportStatsSnapshot): boolean {
  return counts.created === counts.exported + counts.dropped + counts.queued + counts.inFlight;
}

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** Lets promise callbacks run (fake timers leave microtasks alone). */
const microtasks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const errors: unknown[] = [];
beforeEach(() => {
  jest.useFakeTimers();
  errors.length = 0;
  setGlobalErrorHandler(error => errors.push(error));
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  setGlobalErrorHandler(loggingErrorHandler());
});

describe('when a batch goes', () => {
  test.each<[string, Options, (t: ReturnType<typeof setUp>) => Promise<void> | void, string[][], Partial<ExportStatsSnapshot>]>([
    ['a full batch goes at once, before the delay', {}, t => t.end(...names('s', 5)), [['s0', 's1', 's2', 's3']], { queued: 1, inFlight: 4 }],
    [
      'fewer than a batch wait for the delay',
      {},
      t => {
        t.end('a', 'b');
        jest.advanceTimersByTime(999);
      },
      [],
      { queued: 2 },
    ],
    [
      'the delay sends what waits',
      {},
      t => {
        t.end('a', 'b');
        jest.advanceTimersByTime(1000);
      },
      [['a', 'b']],
      { queued: 0, inFlight: 2 },
    ],
    [
      'a delay of 0 sends on the next timer turn',
      { scheduledDelayMillis: 0 },
      t => {
        t.end('a');
        jest.advanceTimersByTime(0);
      },
      [['a']],
      { inFlight: 1 },
    ],
    [
      'one batch per export, and the next waits for its answer',
      { maxExportBatchSize: 2 },
      t => {
        t.end(...names('s', 6));
        jest.advanceTimersByTime(4999);
      },
      [['s0', 's1']],
      { queued: 4, inFlight: 2 },
    ],
    [
      'the next batch goes once the first is answered',
      { maxExportBatchSize: 2 },
      async t => {
        t.end(...names('s', 5));
        t.exporter.batches[0].answer(SUCCESS);
        await microtasks();
      },
      [
        ['s0', 's1'],
        ['s2', 's3'],
      ],
      { exported: 2, queued: 1, inFlight: 2 },
    ],
    [
      'a short batch after an answer waits for the delay again',
      { maxExportBatchSize: 2 },
      async t => {
        t.end('a', 'b', 'c');
        t.exporter.batches[0].answer(SUCCESS);
        await microtasks();
        jest.advanceTimersByTime(999);
      },
      [['a', 'b']],
      { exported: 2, queued: 1 },
    ],
    [
      'unsampled spans are neither counted nor exported',
      {},
      t => {
        t.processor.onEnd(span('not sampled', { sampled: false }));
        jest.advanceTimersByTime(10_000);
      },
      [],
      { created: 0, queued: 0 },
    ],
  ])('%s', async (_title, options, run, batches, counts) => {
    const t = setUp(options);
    await run(t);
    expect(t.exporter.batches.map(b => b.names)).toEqual(batches);
    expect(t.counts()).toMatchObject(counts);
    expect(balanced(t.counts())).toBe(true);
  });

  test('the delay timer never keeps the process alive', () => {
    const unref = jest.spyOn(global, 'setTimeout');
    const t = setUp();
    t.end('a');
    const timer = unref.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
  });
});

describe('counting', () => {
  test.each<[string, Options, (t: ReturnType<typeof setUp>) => Promise<void> | void, Partial<ExportStatsSnapshot>]>([
    // Three go out as a batch, three wait for its answer, the seventh finds the queue full.
    [
      'a full queue drops and counts the spans beyond it',
      { maxQueueSize: 3, maxExportBatchSize: 3 },
      t => t.end(...names('s', 7)),
      { created: 7, inFlight: 3, queued: 3, droppedQueueFull: 1, peakQueued: 3 },
    ],
    [
      'an exported batch counts as exported',
      {},
      t => {
        t.end(...names('s', 4));
        t.exporter.answerAll(SUCCESS);
      },
      { created: 4, exported: 4, inFlight: 0 },
    ],
    [
      'a failed export counts as dropped',
      {},
      t => {
        t.end(...names('s', 4));
        t.exporter.answerAll(FAILED);
      },
      { created: 4, droppedExportFailed: 4, inFlight: 0 },
    ],
    [
      'an export that never answers fails at the export timeout',
      { exportTimeoutMillis: 300 },
      t => {
        t.end(...names('s', 4));
        jest.advanceTimersByTime(300);
      },
      { created: 4, droppedExportFailed: 4, inFlight: 0 },
    ],
    [
      'an answer after the timeout changes nothing',
      { exportTimeoutMillis: 300 },
      t => {
        t.end(...names('s', 4));
        jest.advanceTimersByTime(300);
        t.exporter.answerAll(SUCCESS);
      },
      { exported: 0, droppedExportFailed: 4 },
    ],
    [
      'an answer before the timeout stands',
      { exportTimeoutMillis: 300 },
      t => {
        t.end(...names('s', 4));
        t.exporter.answerAll(SUCCESS);
        jest.advanceTimersByTime(300);
      },
      { exported: 4, droppedExportFailed: 0 },
    ],
    [
      'a second answer changes nothing',
      {},
      t => {
        t.end(...names('s', 4));
        t.exporter.answerAll(SUCCESS);
        t.exporter.answerAll(FAILED);
      },
      { exported: 4, droppedExportFailed: 0 },
    ],
    [
      'spans ending after shutdown are counted, not queued',
      {},
      async t => {
        await t.processor.shutdown();
        t.end('late', 'later');
      },
      { created: 2, droppedAfterShutdown: 2, queued: 0 },
    ],
  ])('%s', async (_title, options, run, counts) => {
    const t = setUp(options);
    await run(t);
    await microtasks();
    expect(t.counts()).toMatchObject(counts);
    expect(balanced(t.counts())).toBe(true);
  });

  test('the queue-full warning is made once per episode of drops', () => {
    const warn = jest.spyOn(reporter, 'warn').mockImplementation(() => undefined);
    const t = setUp({ maxQueueSize: 2, maxExportBatchSize: 2 });
    t.end(...names('first', 6));
    expect(warn.mock.calls.filter(([kind]) => kind === 'queue full')).toHaveLength(1);
  });

  test('failed and timed-out exports are reported through the global error handler', async () => {
    const t = setUp({ maxExportBatchSize: 1, exportTimeoutMillis: 300 });
    t.end('refused');
    t.exporter.batches[0].answer(FAILED);
    await microtasks();
    t.end('never answered');
    jest.advanceTimersByTime(300);
    await microtasks();
    expect(errors.map(error => (error as Error).message)).toEqual(['collector said no', 'the export did not answer within OTEL_BSP_EXPORT_TIMEOUT (300 ms)']);
  });

  test('an exporter that throws fails its batch instead of the app', () => {
    const stats = new ExportStats(8);
    const throwing: ItemExporter<ReadableSpan> = {
      export: () => {
        throw new Error('broke');
      },
      shutdown: () => Promise.resolve(),
    };
    const processor = new BatchSpanProcessor<ReadableSpan>(
      throwing,
      { maxQueueSize: 8, maxExportBatchSize: 1, scheduledDelayMillis: 1000, exportTimeoutMillis: 5000 },
      stats,
      s => s,
    );
    expect(() => processor.onEnd(span('a'))).not.toThrow();
    expect(stats.snapshot()).toMatchObject({ droppedExportFailed: 1, inFlight: 0 });
  });
});

describe('forceFlush and shutdown', () => {
  test('forceFlush exports everything queued, in batches, and resolves once they are answered', async () => {
    const t = setUp({ maxExportBatchSize: 2 });
    t.end('a', 'b', 'c', 'd', 'e');
    let done = false;
    const flushed = t.processor.forceFlush().then(() => {
      done = true;
    });
    expect(t.exporter.batches.map(b => b.names)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    t.exporter.batches[0].answer(SUCCESS);
    t.exporter.batches[1].answer(SUCCESS);
    await microtasks();
    expect(done).toBe(false);
    t.exporter.batches[2].answer(FAILED);
    await flushed;
    expect(t.exporter.flushed).toBe(1);
    expect(t.counts()).toMatchObject({ exported: 4, droppedExportFailed: 1, queued: 0, inFlight: 0 });
  });

  test('shutdown hands the queue over in the call itself, then shuts the exporter down once it is answered', async () => {
    const t = setUp();
    t.end('a', 'b');
    const shutdown = t.processor.shutdown();
    expect(t.exporter.batches.map(b => b.names)).toEqual([['a', 'b']]);
    await microtasks();
    expect(t.exporter.shutDown).toBe(0);
    t.exporter.answerAll(SUCCESS);
    await shutdown;
    expect(t.exporter.shutDown).toBe(1);
    expect(t.processor.shutdown()).toBe(shutdown);
    expect(t.processor.forceFlush()).toBe(shutdown);
    expect(t.counts()).toMatchObject({ created: 2, exported: 2 });
  });

  test('no timer is left after shutdown', async () => {
    const t = setUp();
    t.end('a');
    const shutdown = t.processor.shutdown();
    t.exporter.answerAll(SUCCESS);
    await shutdown;
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('a batch on its way', () => {
  /** Calls `itemsSent` as it takes each batch, as the holding exporter does once the request is on the wire. */
  class SendingExporter extends FakeExporter {
    readonly sizes: number[] = [];
    export(spans: ReadableSpan[], answer: (result: ExportResult) => void, itemsSent?: () => void): void {
      super.export(spans, answer);
      this.sizes.push(spans.length);
      itemsSent?.();
    }
  }

  test('is let go once the exporter says it is sent, and its answer still counts every span', async () => {
    const exporter = new SendingExporter();
    const stats = new ExportStats(8);
    const processor = new BatchSpanProcessor<ReadableSpan>(
      exporter,
      { maxQueueSize: 8, maxExportBatchSize: 4, scheduledDelayMillis: 1000, exportTimeoutMillis: 5000 },
      stats,
      s => s,
    );
    for (const name of ['a', 'b', 'c', 'd']) processor.onEnd(span(name));
    expect(exporter.sizes).toEqual([4]);
    expect(stats.snapshot()).toMatchObject({ inFlight: 4 });
    exporter.answerAll();
    await microtasks();
    expect(stats.snapshot()).toMatchObject({ created: 4, exported: 4, inFlight: 0 });
  });

  test('a released batch that fails counts every span as failed', async () => {
    const exporter = new SendingExporter();
    const stats = new ExportStats(8);
    const processor = new BatchSpanProcessor<ReadableSpan>(
      exporter,
      { maxQueueSize: 8, maxExportBatchSize: 2, scheduledDelayMillis: 1000, exportTimeoutMillis: 5000 },
      stats,
      s => s,
    );
    const errors: Error[] = [];
    setGlobalErrorHandler(error => errors.push(error as Error));
    try {
      processor.onEnd(span('a'));
      processor.onEnd(span('b'));
      exporter.answerAll(FAILED);
      await microtasks();
    } finally {
      setGlobalErrorHandler(loggingErrorHandler());
    }
    expect(stats.snapshot()).toMatchObject({ exported: 0, droppedExportFailed: 2, inFlight: 0 });
    expect(errors).toHaveLength(1);
  });

  test('TakenBatch.release empties its items and keeps their count', () => {
    const stats = new ExportStats(8);
    const taken = new TakenBatch([span('a'), span('b'), span('c')], stats);
    taken.release();
    expect(taken.items).toEqual([]);
    expect(taken.size).toBe(3);
    taken.done(SUCCESS);
    expect(stats.snapshot()).toMatchObject({ exported: 3, inFlight: 0 });
  });
});

describe('takeQueued, for the exit hand-off', () => {
  test.each<[string, (t: ReturnType<typeof setUp>) => void, string[] | undefined, Partial<ExportStatsSnapshot>]>([
    ['takes every queued span at once, counted in flight', t => t.end('a', 'b', 'c'), ['a', 'b', 'c'], { queued: 0, inFlight: 3 }],
    ['leaves batches already exported alone', t => t.end(...names('s', 6)), ['s4', 's5'], { queued: 0, inFlight: 6 }],
    ['nothing queued: nothing taken', () => undefined, undefined, { inFlight: 0 }],
  ])('%s', (_title, run, taken, counts) => {
    const t = setUp();
    run(t);
    const batch = t.processor.takeQueued();
    expect(batch?.items.map(s => s.name)).toEqual(taken);
    expect(t.counts()).toMatchObject(counts);
    // Its delay timer is gone too: nothing more is exported.
    jest.advanceTimersByTime(10_000);
    expect(t.exporter.batches.flatMap(b => b.names)).not.toEqual(expect.arrayContaining(taken ?? ['none']));
  });

  test('the taken batch counts its outcome once', () => {
    const t = setUp();
    t.end('a', 'b');
    const batch = t.processor.takeQueued();
    batch?.done(SUCCESS);
    batch?.done(FAILED);
    expect(t.counts()).toMatchObject({ exported: 2, droppedExportFailed: 0, inFlight: 0 });
  });
});

describe('a resource with attributes still settling', () => {
  function settlingResource() {
    let settle = () => undefined as void;
    let waits = 0;
    const resource = {
      asyncAttributesPending: true,
      waitForAsyncAttributes: () => {
        waits++;
        return new Promise<void>(resolve => {
          settle = () => {
            resource.asyncAttributesPending = false;
            resolve();
          };
        });
      },
    };
    return { resource: resource as unknown as Resource, settle: () => settle(), waits: () => waits };
  }

  test('the first span starts the wait, and no batch goes before it settles', async () => {
    const t = setUp({ maxExportBatchSize: 2 });
    const { resource, settle, waits } = settlingResource();
    t.processor.onEnd(span('a', { resource }));
    expect(waits()).toBe(1);
    t.processor.onEnd(span('b', { resource }));
    await microtasks();
    expect(t.exporter.batches).toHaveLength(0);
    expect(t.counts()).toMatchObject({ inFlight: 2 });
    settle();
    await microtasks();
    expect(t.exporter.batches.map(b => b.names)).toEqual([['a', 'b']]);
  });

  test('a resource that never settles fails the batch at the export timeout, and it is never sent', async () => {
    const t = setUp({ maxExportBatchSize: 1, exportTimeoutMillis: 300 });
    const { resource, settle } = settlingResource();
    t.processor.onEnd(span('a', { resource }));
    jest.advanceTimersByTime(300);
    settle();
    await microtasks();
    expect(t.exporter.batches).toHaveLength(0);
    expect(t.counts()).toMatchObject({ droppedExportFailed: 1, inFlight: 0 });
  });
});

describe('takeQueued while a resource is still settling', () => {
  /** A resource whose attributes settle only when told to (every wait ends together). */
  function settlingResource() {
    const waiters: Array<() => void> = [];
    const resource = {
      asyncAttributesPending: true,
      waitForAsyncAttributes: () => new Promise<void>(resolve => waiters.push(resolve)),
    };
    const settle = () => {
      resource.asyncAttributesPending = false;
      for (const resolve of waiters.splice(0)) resolve();
    };
    return { resource: resource as unknown as Resource, settle };
  }

  type Setting = ReturnType<typeof setUp> & { end: (...names: string[]) => void };
  function setUpSettling(options: Options = {}) {
    const t = setUp(options);
    const { resource, settle } = settlingResource();
    const end = (...spanNames: string[]) => spanNames.forEach(name => t.processor.onEnd(span(name, { resource })));
    return { ...t, end, settle };
  }

  test.each<[string, Options, (t: Setting) => Promise<unknown> | unknown, string[]]>([
    ['a batch started by size, waiting', { maxExportBatchSize: 2 }, t => t.end('a', 'b'), ['a', 'b']],
    [
      'a batch started by the delay, waiting',
      {},
      t => {
        t.end('a');
        jest.advanceTimersByTime(1000);
      },
      ['a'],
    ],
    ['a waiting batch and the queue behind it, in one', { maxExportBatchSize: 2 }, t => t.end('a', 'b', 'c'), ['a', 'b', 'c']],
    [
      'every batch shutdown took, waiting',
      { maxExportBatchSize: 2 },
      t => {
        t.end('a', 'b', 'c', 'd', 'e');
        void t.processor.shutdown();
      },
      ['a', 'b', 'c', 'd', 'e'],
    ],
    [
      'every batch forceFlush took, waiting',
      { maxExportBatchSize: 2 },
      t => {
        t.end('a', 'b', 'c');
        void t.processor.forceFlush();
      },
      ['a', 'b', 'c'],
    ],
  ])('takes %s; nothing is exported when the resource settles, and each span counts once', async (_title, options, run, taken) => {
    const t = setUpSettling(options);
    await run(t);
    await microtasks();
    expect(t.exporter.batches).toHaveLength(0);
    const created = t.counts().created;
    expect(t.counts().queued + t.counts().inFlight).toBe(created);

    const batch = t.processor.takeQueued();
    expect(batch?.items.map(s => s.name)).toEqual(taken);
    expect(t.counts()).toMatchObject({ created, queued: 0, inFlight: created });
    expect(t.processor.takeQueued()).toBeUndefined();
    expect(batch?.done(SUCCESS)).toBe(true);
    expect(batch?.done(FAILED)).toBe(false);
    expect(t.counts()).toMatchObject({ created, exported: created, dropped: 0, queued: 0, inFlight: 0 });

    t.settle();
    await microtasks();
    jest.advanceTimersByTime(60_000);
    await microtasks();
    expect(t.exporter.batches).toHaveLength(0);
    expect(t.counts()).toMatchObject({ created, exported: created, dropped: 0, queued: 0, inFlight: 0 });
    expect(balanced(t.counts())).toBe(true);
    expect(errors).toEqual([]);
  });

  test('a batch taken at exit is neither failed by the export timeout nor reported, and a failed hand-off counts once', async () => {
    const t = setUpSettling({ maxExportBatchSize: 2, exportTimeoutMillis: 300 });
    t.end('a', 'b');
    const batch = t.processor.takeQueued();
    jest.advanceTimersByTime(300);
    await microtasks();
    expect(t.counts()).toMatchObject({ droppedExportFailed: 0, inFlight: 2 });
    batch?.done(FAILED);
    await microtasks();
    expect(t.counts()).toMatchObject({ created: 2, exported: 0, droppedExportFailed: 2, inFlight: 0 });
    expect(balanced(t.counts())).toBe(true);
    // The span counts line tells of a failed hand-off, not the global error handler.
    expect(errors).toEqual([]);
  });

  test('shutdown and forceFlush resolve once the hand-off reports the batches they wait for', async () => {
    const t = setUpSettling({ maxExportBatchSize: 2 });
    t.end('a', 'b', 'c');
    let flushed = false;
    const flush = t.processor.forceFlush().then(() => {
      flushed = true;
    });
    let shutDown = false;
    const shutdown = t.processor.shutdown().then(() => {
      shutDown = true;
    });
    await microtasks();
    expect(flushed || shutDown).toBe(false);
    t.processor.takeQueued()?.done(SUCCESS);
    await flush;
    await shutdown;
    expect(t.exporter).toMatchObject({ flushed: 1, shutDown: 1, batches: [] });
    expect(t.counts()).toMatchObject({ created: 3, exported: 3, inFlight: 0 });
  });

  test('a batch that timed out while waiting is not taken again', async () => {
    const t = setUpSettling({ maxExportBatchSize: 2, exportTimeoutMillis: 300 });
    t.end('a', 'b', 'c');
    jest.advanceTimersByTime(300);
    await microtasks();
    // The first batch failed at its timeout; the next ('c') then waits for the delay.
    const batch = t.processor.takeQueued();
    expect(batch?.items.map(s => s.name)).toEqual(['c']);
    batch?.done(SUCCESS);
    t.settle();
    await microtasks();
    expect(t.exporter.batches).toHaveLength(0);
    expect(t.counts()).toMatchObject({ created: 3, exported: 1, droppedExportFailed: 2, queued: 0, inFlight: 0 });
  });

  test('a batch whose resource settled before the exit is exported, and not taken', async () => {
    const t = setUpSettling({ maxExportBatchSize: 2 });
    t.end('a', 'b', 'c');
    t.settle();
    await microtasks();
    expect(t.exporter.batches.map(b => b.names)).toEqual([['a', 'b']]);
    expect(t.processor.takeQueued()?.items.map(s => s.name)).toEqual(['c']);
  });
});

describe("beside the app's own span processors", () => {
  test('each processor registered with the SDK sees every span; only sampled ones are counted and exported', async () => {
    jest.useRealTimers();
    const seen: string[] = [];
    const users: SpanProcessor = {
      onStart: (started: Span) => void seen.push(`start ${(started as unknown as ReadableSpan).name}`),
      onEnd: ended => void seen.push(`end ${ended.name}`),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const t = setUp();
    const provider = new TracerProvider({ spanProcessors: [users, t.processor] });
    const tracer = provider.getTracer('test');
    tracer.startSpan('one').end();
    tracer.startSpan('two').end();
    const flushed = provider.forceFlush();
    await Promise.resolve();
    t.exporter.answerAll(SUCCESS);
    await flushed;
    expect(seen).toEqual(['start one', 'end one', 'start two', 'end two']);
    expect(t.exporter.batches.map(b => b.names)).toEqual([['one', 'two']]);
    expect(t.counts()).toMatchObject({ created: 2, exported: 2 });
    await provider.shutdown();
  });
});
