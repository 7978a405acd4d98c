import { DEFAULT_PROPAGATE_TO, destinationPolicy, isPolicyEntry, normaliseHost } from '../../../src/core/destination-policy';
import { DestinationGate } from '../../../src/propagation/policy-propagator';
import { hasHeader } from '../../../src/http/client-hooks';

describe('the default propagation policy', () => {
  const allowed = destinationPolicy(DEFAULT_PROPAGATE_TO);
  test.each<[string, boolean]>([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['LOCALHOST.', true],
    ['[::1]', true],
    ['::1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['fd12:3456::1', true],
    ['cards', true],
    ['cards:8080', true],
    ['134744072', false],
    ['0x08080808', false],
    ['169.254.169.254', false],
    ['fe80::1', false],
    ['8.8.8.8', false],
    ['api.stripe.com', false],
    ['cards.default.svc.cluster.local', false],
    ['', false],
  ])('%s is allowed: %s', (host, expected) => {
    expect(allowed(host)).toBe(expected);
  });
});

describe('policy entries', () => {
  const allowed = destinationPolicy(['.corp.example', 'partner.io', '203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);
  test.each<[string, boolean]>([
    ['corp.example', true],
    ['billing.corp.example', true],
    ['evilcorp.example', false],
    ['partner.io', true],
    ['api.partner.io', false],
    ['203.0.113.200', true],
    ['203.0.114.1', false],
    ['2001:db8::42', true],
    ['[2001:db9::1]:443', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['127.0.0.1', false],
  ])('%s is allowed: %s', (host, expected) => {
    expect(allowed(host)).toBe(expected);
  });

  test('* allows everything', () => {
    expect(destinationPolicy(['*'])('api.stripe.com')).toBe(true);
  });

  test.each<[string, boolean]>([
    ['loopback', true],
    ['private', true],
    ['local-names', true],
    ['*', true],
    ['.example.com', true],
    ['example.com', true],
    ['10.0.0.0/8', true],
    ['fd00::/8', true],
    ['::1', true],
    ['10.0.0.0/33', false],
    ['not a host', false],
    ['exa_mple..com', false],
    ['', false],
    ['.', false],
    ['http://x', false],
  ])('isPolicyEntry(%j) is %s', (entry, expected) => {
    expect(isPolicyEntry(entry)).toBe(expected);
  });

  test.each<[string, string]>([
    ['Cards.Internal.', 'cards.internal'],
    ['cards:8080', 'cards'],
    ['[::1]:8080', '::1'],
    ['::1', '::1'],
    ['[broken', ''],
  ])('normaliseHost(%j) is %j', (host, expected) => {
    expect(normaliseHost(host)).toBe(expected);
  });
});

describe('DestinationGate', () => {
  const never = () => false;
  test('a verdict applies to the next inject only', () => {
    const gate = new DestinationGate(host => host === 'ok');
    gate.judge(() => 'blocked', never);
    expect(gate.take().allowed).toBe(false);
    expect(gate.take().allowed).toBe(true);
  });

  test('an inject without a verdict is allowed', () => {
    expect(new DestinationGate(() => false).take()).toEqual({ allowed: true, appSentRequestId: false });
  });

  test('a verdict nobody used is dropped at the end of the synchronous run', async () => {
    const gate = new DestinationGate(() => false);
    gate.judge(() => 'blocked', never);
    await Promise.resolve();
    expect(gate.take().allowed).toBe(true);
  });

  test('a judgement that throws refuses the headers', () => {
    const gate = new DestinationGate(() => true);
    gate.judge(() => {
      throw new TypeError('origin of an unexpected shape');
    }, never);
    expect(gate.take().allowed).toBe(false);
  });

  test('it remembers that the app sent its own request id', () => {
    const gate = new DestinationGate(() => true);
    gate.judge(
      () => 'ok',
      () => true,
    );
    expect(gate.take()).toEqual({ allowed: true, appSentRequestId: true });
  });
});

describe('hasHeader', () => {
  test.each<[string, unknown, boolean]>([
    ['a plain object, any case', { 'X-Request-ID': 'a' }, true],
    ['a plain object without it', { accept: '*/*' }, false],
    ['a flat list', ['Accept', '*/*', 'x-request-id', 'a'], true],
    ['a flat list where the name is a value', ['accept', 'x-request-id'], false],
    ["undici's header string", 'accept: */*\r\nX-Request-Id: a\r\n', true],
    ["undici's header string without it", 'accept: */*\r\n', false],
    ['no headers', undefined, false],
  ])('%s', (_title, headers, expected) => {
    expect(hasHeader(headers, 'x-request-id')).toBe(expected);
  });
});
