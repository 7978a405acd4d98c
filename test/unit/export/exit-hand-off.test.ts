import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { parseConfig } from '../../../src/config';
import { otlpExitSender } from '../../../src/export/exit-hand-off';
import { closedPort } from '../../support/ports';

const config = (env: Record<string, string>) => parseConfig(env, { entryScript: undefined, readFile: () => undefined }).config;

test('TRACEHOP_SHUTDOWN_TIMEOUT_MS=0 means no hand-off at exit', () => {
  expect(otlpExitSender(config({ TRACEHOP_SHUTDOWN_TIMEOUT_MS: '0' }))).toBeUndefined();
});

test('the hand-off reports failure, without throwing, when nothing listens at the endpoint', async () => {
  const sender = otlpExitSender(
    config({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${await closedPort()}/v1/traces`, TRACEHOP_SHUTDOWN_TIMEOUT_MS: '5000' }),
  );
  // An empty batch still makes a request: the serializer encodes an empty ExportTraceServiceRequest.
  expect(sender?.([] as ReadableSpan[])).toBe(false);
});
