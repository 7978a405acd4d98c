/**
 * Each way an app stops, run with and without tracehop: the exit status and
 * signal must be the same, and with tracehop every request that got an
 * answer reaches the collector (request ids matched one by one), over
 * http/protobuf and http/json. No sleeps: every step waits for an event.
 * SIGKILL and native aborts cannot be saved and are not tested
 * (docs/failure-modes.md, "Stop patterns").
 */
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'stop-patterns-app.js');
let receiver: OtlpReceiver;
const running: Service[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());
afterEach(async () => {
  await Promise.all(running.splice(0).map(service => service.stop()));
});

type Protocol = 'http/protobuf' | 'http/json';

async function start(pattern: string, signal: string, traced: boolean, protocol: Protocol): Promise<Service> {
  const service = await startService(
    pattern,
    APP,
    {
      FIXTURE_PATTERN: pattern,
      FIXTURE_SIGNAL: signal,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      // Only the way out can deliver.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      TRACEHOP_SHUTDOWN_TIMEOUT_MS: '10000',
    },
    traced ? {} : { nodeArgs: [] },
  );
  running.push(service);
  return service;
}

async function answered(service: Service, ids: string[]): Promise<void> {
  for (const id of ids) await (await fetch(`${service.url}/work`, { headers: { 'X-Request-ID': id } })).text();
}

const requestIds = (prefix: string) => [0, 1, 2].map(i => `${prefix}-${i}`);
const received = (ids: string[]) =>
  receiver.waitForSpans(all => ids.every(id => all.some(span => span.attributes['request.id'] === id && span.kind === 2)), 15_000);

const patterns: Array<[string, string, (service: Service, signal: NodeJS.Signals) => Promise<void>]> = [
  [
    'no handler',
    'none',
    (service, signal) => {
      service.child.kill(signal);
      return Promise.resolve();
    },
  ],
  [
    're-raises once',
    'reraise-once',
    (service, signal) => {
      service.child.kill(signal);
      return Promise.resolve();
    },
  ],
  [
    'removes all listeners and re-raises',
    'reraise-remove-all',
    (service, signal) => {
      service.child.kill(signal);
      return Promise.resolve();
    },
  ],
  [
    'exits after async clean-up',
    'exit-after-async',
    (service, signal) => {
      service.child.kill(signal);
      return Promise.resolve();
    },
  ],
  [
    'closes and lets the loop drain',
    'close-and-drain',
    (service, signal) => {
      service.child.kill(signal);
      return Promise.resolve();
    },
  ],
  [
    'a second signal during the clean-up',
    'once-second-signal',
    async (service, signal) => {
      service.child.kill(signal);
      await service.waitForLine(line => line.msg === 'cleaning up');
      service.child.kill(signal);
    },
  ],
];

describe.each(['http/protobuf', 'http/json'] as const)('over %s', protocol => {
  describe.each(['SIGTERM', 'SIGINT'] as const)('%s', signal => {
    test.each(patterns)('%s: ends as untraced, and every answered request is received', async (_name, pattern, stop) => {
      const untraced = await start(pattern, signal, false, protocol);
      await answered(untraced, ['untraced']);
      await stop(untraced, signal);
      const expected = await untraced.exited;

      const ids = requestIds(`${pattern}-${signal}-${protocol}`);
      const traced = await start(pattern, signal, true, protocol);
      await answered(traced, ids);
      await stop(traced, signal);
      expect(await traced.exited).toEqual(expected);
      await received(ids);
    });
  });

  test("process.exit(0) right after res.end(): the last request's span is received, cut short", async () => {
    const untraced = await start('none', 'SIGTERM', false, protocol);
    await fetch(`${untraced.url}/exit-after-answer`)
      .then(res => res.text())
      .catch(() => undefined);
    const expected = await untraced.exited;

    const id = `exit-after-answer-${protocol}`;
    const traced = await start('none', 'SIGTERM', true, protocol);
    await answered(traced, [`${id}-before`]);
    await fetch(`${traced.url}/exit-after-answer`, { headers: { 'X-Request-ID': id } })
      .then(res => res.text())
      .catch(() => undefined);
    expect(await traced.exited).toEqual(expected);
    const spans = await received([`${id}-before`, id]);
    expect(spans.find(span => span.attributes['request.id'] === id)?.attributes['tracehop.span.cut_short']).toBe(true);
  });
});
