import { decodeTraceResponse } from '../../../src/export/trace-response';
import { tracehopTraceSerializer } from '../../../src/export';

const text = (value: string) => [...Buffer.from(value)];
/** ExportTraceServiceResponse { partial_success { ...inner } } */
const partial = (inner: number[]) => Uint8Array.from([0x0a, inner.length, ...inner]);

describe('decodeTraceResponse reads the collector\'s answer as the exporter\'s response handler expects it', () => {
  test.each<[string, Uint8Array, object]>([
    ['an empty answer (full success)', new Uint8Array(0), {}],
    ['rejected spans and a message', partial([0x08, 0x03, 0x12, 0x07, ...text('too old')]), { partialSuccess: { rejectedSpans: 3, errorMessage: 'too old' } }],
    ['a message alone (a warning, nothing rejected)', partial([0x12, 0x04, ...text('slow')]), { partialSuccess: { errorMessage: 'slow' } }],
    ['an empty partial_success', partial([]), { partialSuccess: {} }],
    ['a large count in a multi-byte varint', partial([0x08, 0xe8, 0x07]), { partialSuccess: { rejectedSpans: 1000 } }],
    ['fields it does not know are skipped', Uint8Array.from([0x10, 0x01, ...partial([0x08, 0x01, 0x1a, 0x01, 0x78])]), { partialSuccess: { rejectedSpans: 1 } }],
    ['a repeated partial_success merges', Uint8Array.from([...partial([0x08, 0x02]), ...partial([0x12, 0x01, ...text('x')])]), { partialSuccess: { rejectedSpans: 2, errorMessage: 'x' } }],
  ])('%s', (_title, bytes, expected) => {
    expect(decodeTraceResponse(bytes)).toEqual(expected);
  });

  test.each<[string, Uint8Array]>([
    ['a truncated message', Uint8Array.from([0x0a, 0x05, 0x08])],
    ['a truncated varint', partial([0x08, 0x80])],
    ['field number 0', Uint8Array.from([0x00, 0x01])],
  ])('malformed bytes throw: %s', (_title, bytes) => {
    expect(() => decodeTraceResponse(bytes)).toThrow(/protobuf/);
  });

  test('the serializer hands bytes its reader refuses to the library serializer, and only those', () => {
    const seen: Uint8Array[] = [];
    const library = { serializeRequest: () => undefined, deserializeResponse: (data: Uint8Array) => (seen.push(data), { fromLibrary: true }) };
    const serializer = tracehopTraceSerializer(library);
    expect(serializer.deserializeResponse(partial([0x08, 0x01]))).toEqual({ partialSuccess: { rejectedSpans: 1 } });
    expect(seen).toHaveLength(0);
    const broken = Uint8Array.from([0x0a, 0x05, 0x08]);
    expect(serializer.deserializeResponse(broken)).toEqual({ fromLibrary: true });
    expect(seen).toEqual([broken]);
  });
});
