import { decodeTraceResponse } from '../../../src/otlp/trace-response';
import { tracehopTraceSerializer } from '../../../src/export';

const text = (value: string) => [...Buffer.from(value)];
/** ExportTraceServiceResponse { partial_success { ...inner } } */
const partial = (inner: number[]) => Uint8Array.from([0x0a, inner.length, ...inner]);

describe("decodeTraceResponse reads the collector's answer as the exporter's response handler expects it", () => {
  test.each<[string, Uint8Array, object]>([
    ['an empty answer (full success)', new Uint8Array(0), {}],
    ['rejected spans and a message', partial([0x08, 0x03, 0x12, 0x07, ...text('too old')]), { partialSuccess: { rejectedSpans: 3, errorMessage: 'too old' } }],
    ['a message alone (a warning, nothing rejected)', partial([0x12, 0x04, ...text('slow')]), { partialSuccess: { errorMessage: 'slow' } }],
    ['an empty partial_success', partial([]), { partialSuccess: {} }],
    ['a large count in a multi-byte varint', partial([0x08, 0xe8, 0x07]), { partialSuccess: { rejectedSpans: 1000 } }],
    [
      'fields it does not know are skipped',
      Uint8Array.from([0x10, 0x01, ...partial([0x08, 0x01, 0x1a, 0x01, 0x78])]),
      { partialSuccess: { rejectedSpans: 1 } },
    ],
    [
      'a repeated partial_success merges (the protobuf rule for a message field)',
      Uint8Array.from([...partial([0x08, 0x02]), ...partial([0x12, 0x01, ...text('x')])]),
      { partialSuccess: { rejectedSpans: 2, errorMessage: 'x' } },
    ],
    [
      "a negative int64 stays negative (two's complement, ten bytes)",
      partial([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      { partialSuccess: { rejectedSpans: -1 } },
    ],
    ['an obsolete group field is skipped', Uint8Array.from([0x1b, 0x08, 0x01, 0x1c, ...partial([0x08, 0x04])]), { partialSuccess: { rejectedSpans: 4 } }],
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

  test('the serializer reads answers itself and never asks the library serializer; malformed bytes throw for the exporter to report', () => {
    const library = {
      serializeRequest: () => undefined,
      deserializeResponse: (): never => {
        throw new Error('the library serializer must not be asked');
      },
    };
    const serializer = tracehopTraceSerializer(library);
    expect(serializer.deserializeResponse(partial([0x08, 0x01]))).toEqual({ partialSuccess: { rejectedSpans: 1 } });
    expect(() => serializer.deserializeResponse(Uint8Array.from([0x0a, 0x05, 0x08]))).toThrow(/protobuf: truncated/);
  });
});
