/** The OTLP/JSON decoder is product code (`tracehop view`); tests use the same one. */
export { decodeJsonExportTraceServiceRequest } from '../../src/otlp/decode-json';
