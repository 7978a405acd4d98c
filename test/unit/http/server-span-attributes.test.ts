/**
 * tracehop's server-span attributes equal instrumentation-http 0.223's under
 * the stable HTTP semantic conventions, request by request.
 */
import type { IncomingMessage } from 'node:http';
import { requestAttributes } from '../../../src/http/server-span/attributes';
import type { RequestFacts } from '../../../src/http/server-span/attributes';

// Test-only deep import: the function instrumentation-http uses for its server spans.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getIncomingRequestAttributes } = require('@opentelemetry/instrumentation-http/build/src/utils') as {
  getIncomingRequestAttributes: (request: unknown, options: object, logger: object) => Record<string, unknown>;
};

const base: RequestFacts = {
  method: 'GET', url: '/', httpVersion: '1.1', headers: { host: '127.0.0.1:8080' }, remoteAddress: '127.0.0.1', remotePort: 50000,
};

const cases: Array<{ title: string; request: Partial<RequestFacts>; scheme?: 'http' | 'https' }> = [
  { title: 'a plain GET', request: {} },
  { title: 'a path and a query', request: { url: '/users/42?sort=asc&x=%20y' } },
  { title: 'a signed query is redacted', request: { url: '/file?X-Amz-Signature=abc&sig=def&keep=1' } },
  { title: 'dot segments and an encoded path', request: { url: '/a/../b/./c%2Fd' } },
  { title: 'a path with spaces and quotes', request: { url: '/a b/"c"' } },
  { title: 'an absolute-form target', request: { url: 'http://example.com/x?y=1' } },
  { title: 'a fragment', request: { url: '/p#frag?notquery' } },
  { title: 'a lower-case method', request: { method: 'post' } },
  { title: 'an unknown method', request: { method: 'PURGE' } },
  { title: 'a user agent', request: { headers: { host: 'svc', 'user-agent': 'curl/8.0' } } },
  { title: 'no host header', request: { headers: {} } },
  { title: 'a host without a port over https', request: { headers: { host: 'api.example.com' } }, scheme: 'https' },
  { title: 'an IPv6 host', request: { headers: { host: '[::1]:3000' } } },
  { title: 'X-Forwarded-Host and -Proto', request: { headers: { host: 'internal:80', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' } } },
  { title: 'X-Forwarded-For', request: { headers: { host: 'h', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } } },
  { title: 'Forwarded', request: { headers: { host: 'h', forwarded: 'for="[2001:db8::1]:4711";host=public.example;proto=https' } } },
  { title: 'HTTP/1.0', request: { httpVersion: '1.0' } },
];

describe('server span attributes', () => {
  test.each(cases)('match instrumentation-http for $title', ({ request, scheme = 'http' }) => {
    const facts = { ...base, ...request };
    const incoming = {
      method: facts.method, url: facts.url, httpVersion: facts.httpVersion, headers: facts.headers,
      socket: { remoteAddress: facts.remoteAddress, remotePort: facts.remotePort },
    } as unknown as IncomingMessage;
    const theirs = getIncomingRequestAttributes(incoming, { component: scheme, enableSyntheticSourceDetection: false }, { verbose() {} });
    const defined = (attributes: Record<string, unknown>) => Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
    expect(defined(requestAttributes(facts, scheme))).toEqual(defined(theirs));
  });
});
