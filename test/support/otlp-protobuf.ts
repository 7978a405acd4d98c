/** The OTLP protobuf decoder is product code (`tracehop view`); tests use the same one. */
export { bytesToHex, decodeExportTraceServiceRequest, serviceNameOf } from '../../src/otlp/decode-protobuf';
export type {
  ReceivedAttributes,
  ReceivedAttributeValue,
  ReceivedEvent,
  ReceivedLink,
  ReceivedResourceSpans,
  ReceivedSpan,
} from '../../src/otlp/decode-protobuf';
