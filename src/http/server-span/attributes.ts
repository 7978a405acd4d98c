/**
 * The attributes of a server span, as instrumentation-http 0.301 sets them
 * under the stable HTTP semantic conventions (semconv 1.23+ `http.*`,
 * `url.*`, `server.*`, `client.*`, `network.*`). Pure: request facts in,
 * attributes out. Kept equal to instrumentation-http's by a unit test that
 * runs both on the same requests.
 */
import type { Attributes } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/** What the attributes are made from: a plain view of an IncomingMessage. */
export interface RequestFacts {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
}

// RFC 9110 section 9 methods plus PATCH (RFC 5789) and QUERY, as in the
// semantic conventions' list of known methods; any other is `_OTHER`.
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);
// The query keys whose values the conventions say to redact (signed URLs).
const REDACTED_QUERY_KEYS = ['sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token'];

/** `http.request.method`: the method, upper-cased when known, else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** The method part of a server span's name: the known method, or `HTTP` for any other (HTTP semantic conventions). */
export function spanMethod(method: string | undefined): string {
  const known = normalizeMethod(method);
  return known === '_OTHER' ? 'HTTP' : known;
}

export function requestAttributes(request: RequestFacts, scheme: 'http' | 'https'): Attributes {
  const method = normalizeMethod(request.method);
  const userAgent = request.headers['user-agent'];
  const server = serverAddress(request.headers, scheme);
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
    'server.address': server?.host,
    'network.peer.address': request.remoteAddress,
    'network.peer.port': request.remotePort,
    'network.protocol.version': request.httpVersion,
    'user_agent.original': userAgent,
  };
  // A fragment never reaches a server, but a hostile client can send one.
  const hash = (request.url ?? '/').indexOf('#');
  const target = hash === -1 ? (request.url ?? '/') : (request.url as string).slice(0, hash);
  const query = target.indexOf('?');
  const path = pathOf(query === -1 ? target : target.slice(0, query), request.headers.host, scheme);
  if (path !== undefined) attributes['url.path'] = path;
  const search = query === -1 ? '' : target.slice(query + 1);
  if (search !== '' && path !== undefined) attributes['url.query'] = redactQuery(search);
  const client = clientAddress(request);
  if (client !== undefined) attributes['client.address'] = client;
  if (server?.port !== undefined) attributes['server.port'] = Number(server.port);
  if (request.method !== undefined && request.method !== method) attributes['http.request.method_original'] = request.method;
  return attributes;
}

/** The WHATWG URL parser's path, as instrumentation-http reports it (dot segments resolved, percent-encoding normalised). */
function pathOf(path: string, host: string | undefined, scheme: string): string | undefined {
  // The common case needs no parser: a plain absolute path of safe characters.
  if (/^\/[A-Za-z0-9\-._~/%!$&'()*+,;=:@]*$/.test(path) && !/(^|\/)\.\.?(\/|$)/.test(path) && !path.startsWith('//')) return path;
  try {
    return new URL(path, `${scheme}://${host ?? 'localhost'}`).pathname;
  } catch {
    // A path the URL parser refuses: no url.path attribute, as instrumentation-http does; nothing else is lost.
    return undefined;
  }
}

/** The query in `application/x-www-form-urlencoded` form, signature values replaced by `REDACTED`. */
function redactQuery(search: string): string {
  const params = new URLSearchParams(search);
  for (const key of REDACTED_QUERY_KEYS) {
    if (params.has(key)) params.set(key, 'REDACTED');
  }
  return params.toString();
}

interface HostPort {
  readonly host: string;
  readonly port?: string;
}

/** `server.address`/`server.port`: Forwarded's host, else X-Forwarded-Host, else Host. */
function serverAddress(headers: IncomingHttpHeaders, scheme: string): HostPort | undefined {
  const forwarded = headers.forwarded;
  if (forwarded) {
    const host = forwardedParam(forwarded, 'host');
    if (host !== undefined) return parseHost(host, forwardedParam(forwarded, 'proto'));
  }
  const xHost = firstOf(headers['x-forwarded-host']);
  if (xHost !== undefined && xHost.length > 0) return parseHost(xHost, firstOf(headers['x-forwarded-proto']));
  const host = headers.host;
  return host ? parseHost(host, scheme) : undefined;
}

/** `client.address`: Forwarded's `for`, else the first X-Forwarded-For, else the peer. */
function clientAddress(request: RequestFacts): string | undefined {
  const forwarded = request.headers.forwarded;
  if (forwarded) {
    const value = forwardedParam(forwarded, 'for');
    if (value !== undefined) return withoutPort(value);
  }
  const xFor = firstOf(request.headers['x-forwarded-for']);
  if (xFor !== undefined) return withoutPort(xFor.split(',')[0].trim());
  return request.remoteAddress || undefined;
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** RFC 7239: the first element's value of `name`, quotes removed. */
function forwardedParam(header: string, name: string): string | undefined {
  for (const element of header.split(',')) {
    for (const pair of element.split(';')) {
      const equals = pair.indexOf('=');
      if (equals === -1 || pair.slice(0, equals).trim().toLowerCase() !== name) continue;
      const value = pair.slice(equals + 1).trim();
      return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
  }
  return undefined;
}

function parseHost(header: string, proto: string | undefined): HostPort {
  const defaultPort = proto === 'http' ? '80' : proto === 'https' ? '443' : undefined;
  if (header.startsWith('[')) {
    const close = header.indexOf(']');
    if (close === header.length - 1) return { host: header, port: defaultPort };
    if (close !== -1 && header[close + 1] === ':') return { host: header.slice(0, close + 1), port: header.slice(close + 2) };
    return { host: header };
  }
  const parts = header.split(':');
  if (parts.length === 1) return { host: parts[0], port: defaultPort };
  if (parts.length === 2) return { host: parts[0], port: parts[1] };
  return { host: header };
}

function withoutPort(value: string): string {
  try {
    const { hostname } = new URL(`http://${value}`);
    return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  } catch {
    // Not a host the URL parser takes: the value as sent, which is what the attribute records then.
    return value;
  }
}
