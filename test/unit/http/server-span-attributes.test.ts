/**
 * tracehop's server-span attributes, request by request, under the stable
 * HTTP semantic conventions. Each expected set is what instrumentation-http
 * 0.301 gives for the same request (its server spans, with synthetic source
 * detection off), so tracehop's spans read as the OpenTelemetry one's do.
 */
import { requestAttributes } from '../../../src/http/server-span/attributes';
import type { RequestFacts } from '../../../src/http/server-span/attributes';

const base: RequestFacts = {
  method: 'GET', url: '/', httpVersion: '1.1', headers: { host: '127.0.0.1:8080' }, remoteAddress: '127.0.0.1', remotePort: 50000,
};

const cases: Array<{ title: string; request: Partial<RequestFacts>; scheme?: 'http' | 'https'; expected: Record<string, unknown> }> = [
  { title: 'a plain GET', request: {},
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'a path and a query', request: { url: '/users/42?sort=asc&x=%20y' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/users/42', 'url.query': 'sort=asc&x=+y', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'a signed query is redacted', request: { url: '/file?X-Amz-Signature=abc&sig=def&keep=1' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/file', 'url.query': 'X-Amz-Signature=REDACTED&sig=REDACTED&keep=1', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'dot segments and an encoded path', request: { url: '/a/../b/./c%2Fd' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/b/c%2Fd', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'a path with spaces and quotes', request: { url: '/a b/"c"' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/a%20b/%22c%22', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'an absolute-form target', request: { url: 'http://example.com/x?y=1' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/x', 'url.query': 'y=1', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'a fragment', request: { url: '/p#frag?notquery' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/p', 'client.address': '127.0.0.1', 'server.port': 8080 } },
  { title: 'a lower-case method', request: { method: 'post' },
    expected: { 'http.request.method': 'POST', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 8080, 'http.request.method_original': 'post' } },
  { title: 'an unknown method', request: { method: 'PURGE' },
    expected: { 'http.request.method': '_OTHER', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 8080, 'http.request.method_original': 'PURGE' } },
  { title: 'a user agent', request: { headers: { host: 'svc', 'user-agent': 'curl/8.0' } },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': 'svc', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'user_agent.original': 'curl/8.0', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 80 } },
  { title: 'no host header', request: { headers: {} },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1' } },
  { title: 'a host without a port over https', request: { headers: { host: 'api.example.com' } }, scheme: 'https' ,
    expected: { 'http.request.method': 'GET', 'url.scheme': 'https', 'server.address': 'api.example.com', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 443 } },
  { title: 'an IPv6 host', request: { headers: { host: '[::1]:3000' } },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '[::1]', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 3000 } },
  { title: 'X-Forwarded-Host and -Proto', request: { headers: { host: 'internal:80', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' } },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': 'shop.example', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 443 } },
  { title: 'X-Forwarded-For', request: { headers: { host: 'h', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': 'h', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '203.0.113.7', 'server.port': 80 } },
  { title: 'Forwarded', request: { headers: { host: 'h', forwarded: 'for="[2001:db8::1]:4711";host=public.example;proto=https' } },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': 'public.example', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.1', 'url.path': '/', 'client.address': '2001:db8::1', 'server.port': 443 } },
  { title: 'HTTP/1.0', request: { httpVersion: '1.0' },
    expected: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'network.peer.port': 50000, 'network.protocol.version': '1.0', 'url.path': '/', 'client.address': '127.0.0.1', 'server.port': 8080 } },
];

describe('server span attributes', () => {
  test.each(cases)('as instrumentation-http gives them for $title', ({ request, scheme = 'http', expected }) => {
    const defined = (attributes: Record<string, unknown>) => Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
    expect(defined(requestAttributes({ ...base, ...request }, scheme))).toEqual(expected);
  });
});
