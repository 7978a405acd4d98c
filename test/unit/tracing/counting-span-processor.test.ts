import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { CountingSpanProcessor } from '../../../src/tracing/counting-span-processor';
import { ExportStats } from '../../../src/tracing/export-stats';

const span = (flags: number, name = 'span') => ({
  name,
  spanContext: () => ({ traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: flags }),
  resource: { asyncAttributesPending: false },
}) as unknown as ReadableSpan;

function batchRecorder(): SpanProcessor & { ended: ReadableSpan[] } {
  const ended: ReadableSpan[] = [];
  return {
    ended,
    onStart: (_span: Span) => undefined,
    onEnd: (ended_: ReadableSpan) => void ended.push(ended_),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
}

describe('CountingSpanProcessor hands the batch processor what the exporter asks for', () => {
  test.each<[string, ((span: ReadableSpan) => ReadableSpan) | undefined, (original: ReadableSpan, queued: ReadableSpan) => void]>([
    ['no encoder: the span itself', undefined, (original, queued) => expect(queued).toBe(original)],
    ['an encoder: its stand-in, in the span\'s place', original => ({ standInFor: original.name }) as unknown as ReadableSpan, (_original, queued) => expect(queued).toEqual({ standInFor: 'sampled' })],
    ['an encoder that throws: the span itself, nothing thrown', () => {
      throw new Error('cannot encode');
    }, (original, queued) => expect(queued).toBe(original)],
  ])('%s', (_title, encodeOnEnd, check) => {
    const batch = batchRecorder();
    const stats = new ExportStats(10);
    const processor = new CountingSpanProcessor(batch, stats, encodeOnEnd);
    const sampled = span(TraceFlags.SAMPLED, 'sampled');
    processor.onEnd(sampled);
    processor.onEnd(span(TraceFlags.NONE, 'not sampled'));
    expect(batch.ended).toHaveLength(1);
    check(sampled, batch.ended[0]);
    expect(stats.snapshot()).toMatchObject({ created: 1, queued: 1 });
  });

  test('a span dropped for a full queue is never encoded', () => {
    const batch = batchRecorder();
    const encoded: string[] = [];
    const processor = new CountingSpanProcessor(batch, new ExportStats(1), original => (encoded.push(original.name), original));
    processor.onEnd(span(TraceFlags.SAMPLED, 'first'));
    processor.onEnd(span(TraceFlags.SAMPLED, 'second'));
    expect(encoded).toEqual(['first']);
  });
});
