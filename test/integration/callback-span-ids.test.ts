/**
 * What the README says `span_id` is inside an outgoing call's callbacks: the
 * server span of the handler that made the call, as the active context is
 * there in every OpenTelemetry instrumentation (the client span is never
 * active), for http.get's callback, the response's data and end, and
 * fetch().then.
 */
import * as path from 'node:path';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'callbacks-app.js');
let service: Service;

beforeAll(async () => {
  service = await startService('callbacks-app', APP, { OTEL_TRACES_EXPORTER: 'none' });
});
afterAll(async () => {
  await service?.stop();
});

test("span_id inside an outgoing call's callbacks is the handler's server span", async () => {
  const res = await fetch(`${service.url}/call`);
  expect(await res.text()).toBe('done');
  const handler = await service.waitForLine(line => line.where === 'handler');
  await service.waitForLine(line => line.where === 'fetch then');
  const inCallbacks = service.lines.filter(line => line.msg === 'in callback');
  expect(inCallbacks.map(line => line.where)).toEqual(['get callback', 'response data', 'response end', 'fetch then']);
  for (const line of inCallbacks) {
    expect(line).toMatchObject({ span_id: handler.span_id, trace_id: handler.trace_id, request_id: handler.request_id });
  }
});
