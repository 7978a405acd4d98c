import { SentryBridge } from '../../../src/sentry';
import type { SentryCore } from '../../../src/sentry/sentry-core';

/** A copy of `@sentry/core` with only what `attach` and `runAsOwnTraffic` call; `suppressTracing` as given. */
function fakeCore(suppressTracing: <T>(callback: () => T) => T): SentryCore {
  const scope = { addEventProcessor: () => undefined, getPropagationContext: () => ({ traceId: '', sampleRand: 0 }), setPropagationContext: () => undefined };
  return {
    SDK_VERSION: '11.12.0',
    registerExternalPropagationContext: () => undefined,
    getGlobalScope: () => scope,
    getCurrentScope: () => scope,
    getIsolationScope: () => scope,
    getDefaultIsolationScope: () => scope,
    addBreadcrumb: () => undefined,
    isTracingSuppressed: () => false,
    suppressTracing,
    getClient: () => undefined,
  };
}

const bridge = () => new SentryBridge({ requestIdTag: 'request_id', breadcrumbLevel: 30 });

describe('runAsOwnTraffic', () => {
  test('with no Sentry hooked, the send runs plainly', () => {
    expect(bridge().runAsOwnTraffic(() => 'sent')).toBe('sent');
  });

  test("the send runs once, inside every hooked copy's suppressTracing", () => {
    const inside: string[] = [];
    let depth = 0;
    const suppressing =
      (name: string) =>
      <T>(callback: () => T): T => {
        depth++;
        inside.push(`${name}@${depth}`);
        try {
          return callback();
        } finally {
          depth--;
        }
      };
    const sentry = bridge();
    sentry.attach(fakeCore(suppressing('a')));
    sentry.attach(fakeCore(suppressing('b')));
    let runs = 0;
    let depthAtSend = 0;
    sentry.runAsOwnTraffic(() => {
      runs++;
      depthAtSend = depth;
    });
    expect(runs).toBe(1);
    expect(depthAtSend).toBe(2);
    expect(inside.sort()).toEqual(['a@2', 'b@1']);
  });

  test('a Sentry whose suppressTracing throws before calling back: the send still runs, once', () => {
    const sentry = bridge();
    sentry.attach(
      fakeCore(() => {
        throw new Error('broken');
      }),
    );
    let runs = 0;
    expect(sentry.runAsOwnTraffic(() => ++runs)).toBe(1);
    expect(runs).toBe(1);
  });

  test("the send's own throw reaches the caller, and the send is not run again", () => {
    const sentry = bridge();
    sentry.attach(fakeCore(callback => callback()));
    let runs = 0;
    expect(() =>
      sentry.runAsOwnTraffic(() => {
        runs++;
        throw new Error('exporter failed');
      }),
    ).toThrow('exporter failed');
    expect(runs).toBe(1);
  });
});
