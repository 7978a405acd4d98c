/**
 * pino's own `pino_asJson` tracing channel under the preload: its
 * subscribers (the app's own, and Sentry's pino integration, which sends
 * each line as a Sentry log) see the app's lines and nothing of tracehop's,
 * while the lines the app writes still carry tracehop's fields.
 */
import * as path from 'node:path';
import { startSentryReceiver } from '../support/sentry-receiver';
import type { SentryReceiver } from '../support/sentry-receiver';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'sentry', 'pino-channel-app.js');
const REQUESTS = 5;
let sentry: SentryReceiver;
let app: Service;

beforeAll(async () => {
  sentry = await startSentryReceiver();
  app = await startService('pino-channel', APP, { SENTRY_DSN: sentry.dsn, OTEL_TRACES_EXPORTER: 'none' });
  for (let n = 0; n < REQUESTS; n++) expect(await (await fetch(`${app.url}/?n=${n}`)).text()).toBe('ok');
});
afterAll(async () => {
  await app?.stop();
  await sentry?.close();
});

const appMessages = ['listening', ...Array.from({ length: REQUESTS }, (_, n) => `handled ${n}`)];

test("the pino_asJson channel publishes the app's lines only", async () => {
  const seen = (await (await fetch(`${app.url}/seen`)).json()) as unknown[];
  expect(seen).toEqual(appMessages);
});

test("Sentry's pino integration sends the app's lines only, each with its request's trace id", async () => {
  expect(await (await fetch(`${app.url}/flush`)).text()).toBe('flushed');
  expect(sentry.logs.map(log => log.body)).toEqual(appMessages);
  for (let n = 0; n < REQUESTS; n++) {
    const line = await app.waitForLine(candidate => candidate.msg === `handled ${n}`);
    expect(sentry.logs.find(log => log.body === `handled ${n}`)?.trace_id).toBe(line.trace_id);
  }
});

test("the app's lines still carry tracehop's fields, spliced first into each line", async () => {
  for (let n = 0; n < REQUESTS; n++) {
    const line = await app.waitForLine(candidate => candidate.msg === `handled ${n}`);
    expect(Object.keys(line).slice(0, 5)).toEqual(['trace_id', 'span_id', 'trace_flags', 'request_id', 'request_chain']);
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
  }
  expect(app.stderr).toBe('');
});
