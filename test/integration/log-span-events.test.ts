/**
 * pino records become events on the active span under `node -r ./register.js`,
 * from the level TRACEHOP_LOG_SPAN_EVENTS names, at each of its values.
 */
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startService } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'log-events-app.js');
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

test.each<[string, string | undefined, string[]]>([
  ['the default records error and fatal', undefined, ['error', 'fatal']],
  ['none records nothing', 'none', []],
  ['trace records every level', 'trace', LEVELS],
  ['debug records from debug', 'debug', LEVELS.slice(1)],
  ['info also attaches the breadcrumbs', 'info', LEVELS.slice(2)],
  ['warn records from warn', 'warn', LEVELS.slice(3)],
  ['error records error and fatal', 'error', ['error', 'fatal']],
  ['fatal records fatal alone', 'fatal', ['fatal']],
])(
  '%s',
  async (_title, setting, expected) => {
    const requestId = `log-events-${setting ?? 'default'}`;
    const app = await startService('log-events-app', APP, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...(setting === undefined ? {} : { TRACEHOP_LOG_SPAN_EVENTS: setting }),
    });
    try {
      await fetch(app.url, { headers: { 'x-request-id': requestId } }).then(response => response.text());
      const spans = await receiver.waitForSpans(all => all.some(span => span.kind === 2 && span.attributes['request.id'] === requestId));
      const server = spans.find(span => span.kind === 2 && span.attributes['request.id'] === requestId)!;
      const events = server.events.filter(event => event.name === 'log');
      expect(events.map(event => event.attributes['log.severity'])).toEqual(expected);
      for (const event of events) expect(event.attributes['log.message']).toBe(`${event.attributes['log.severity']} record`);
      const error = events.find(event => event.attributes['log.severity'] === 'error');
      if (error !== undefined) {
        expect(error.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad card' });
        expect(String(error.attributes['exception.stacktrace'])).toContain('TypeError: bad card');
      }
      expect(app.stderr).toBe('');
    } finally {
      await app.stop();
    }
  },
  30_000,
);
