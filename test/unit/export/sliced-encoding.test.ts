/**
 * A batch encoded ahead, a slice per step, is one valid request holding every
 * span of the batch in order: the slices' requests concatenated, which the
 * serializer then sends as is.
 */
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { encodeInSlices, encodeTraceRequest, encodedAheadOf, tracehopTraceSerializer } from '../../../src/export';
import { decodeExportTraceServiceRequest } from '../../../src/otlp/decode-protobuf';

function spans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'slices' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('slice-test');
  for (let i = 0; i < count; i++) tracer.startSpan(`GET /items/${i}`, { kind: SpanKind.SERVER, attributes: { 'url.path': `/items/${i}` } }).end();
  return memory.getFinishedSpans();
}

function decodedNames(bytes: Uint8Array): string[] {
  return decodeExportTraceServiceRequest(bytes).flatMap(group => group.spans.map(span => span.name));
}

describe('encodeInSlices', () => {
  // [batch size, slice size, steps it takes]
  const table: Array<[number, number, number]> = [
    [1, 128, 1],
    [128, 128, 1],
    [129, 128, 2],
    [512, 128, 4],
    [300, 7, 43],
  ];
  test.each(table)('%i spans in slices of %i: %i steps, every span once and in order', (count, sliceSize, expectedSteps) => {
    const batch = spans(count);
    const steps = encodeInSlices(batch, sliceSize);
    let taken = 0;
    let done = false;
    while (!done) {
      expect(encodedAheadOf(batch)).toBeUndefined();
      done = steps.step();
      taken++;
    }
    expect(taken).toBe(expectedSteps);
    expect(steps.step()).toBe(true);
    const bytes = encodedAheadOf(batch) as Uint8Array;
    const expected: number[] = [];
    for (let start = 0; start < count; start += sliceSize) expected.push(...encodeTraceRequest(batch.slice(start, start + sliceSize)));
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
    expect(decodedNames(bytes)).toEqual(batch.map(span => span.name));
  });

  test("a batch that fits one slice is the serializer's bytes exactly, and the serializer sends what was encoded ahead", () => {
    const batch = spans(20);
    encodeInSlices(batch).step();
    const serializer = tracehopTraceSerializer(ProtobufTraceSerializer);
    expect(serializer.serializeRequest(batch)).toBe(encodedAheadOf(batch));
    expect(Buffer.from(encodedAheadOf(batch) as Uint8Array).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(batch) as Uint8Array))).toBe(true);
  });

  test('a slice that cannot be encoded leaves the whole batch to the serializer', () => {
    const batch = spans(3);
    // A span whose context cannot be read makes the encoder throw.
    const broken = [
      ...batch.slice(0, 2),
      {
        ...batch[2],
        spanContext: () => {
          throw new Error('unreadable');
        },
      } as unknown as ReadableSpan,
    ];
    const steps = encodeInSlices(broken, 2);
    expect(steps.step()).toBe(false);
    expect(steps.step()).toBe(true);
    expect(encodedAheadOf(broken)).toBeUndefined();
  });
});
