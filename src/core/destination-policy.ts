/**
 * Which destinations may receive tracehop's headers (`traceparent`,
 * `tracestate`, `baggage`, the request id). Pure: entries in, a predicate on
 * a host name or address out.
 *
 * Entries (TRACEHOP_PROPAGATE_TO):
 * - `*`: every destination (the policy is off);
 * - `loopback`: 127.0.0.0/8, ::1 and `localhost`;
 * - `private`: the private address ranges of RFC 1918 (10/8, 172.16/12,
 *   192.168/16), RFC 6598 shared space (100.64/10) and IPv6 unique local
 *   addresses (fc00::/7);
 * - `local-names`: host names without a dot (`cards`, a Kubernetes service
 *   name resolved through search domains), which cannot be public names;
 * - `.example.com`: that domain and every name under it;
 * - an address range in CIDR notation (`10.20.0.0/16`, `fd12::/16`);
 * - anything else: that exact host name.
 *
 * Link-local addresses (169.254/16, fe80::/10) are in no default: cloud
 * metadata services live there.
 */
import { BlockList, isIP } from 'node:net';

export type DestinationPolicy = (host: string) => boolean;

export const DEFAULT_PROPAGATE_TO = ['loopback', 'private', 'local-names'];

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;
const CIDR = /^([0-9a-fA-F.:]+)\/(\d{1,3})$/;
const NUMERIC_HOST = /^(?:\d+|0x[0-9a-f]+)$/;

const LOOPBACK_RANGES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
];
const PRIVATE_RANGES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
];

/** True when `entry` is a valid TRACEHOP_PROPAGATE_TO entry. */
export function isPolicyEntry(entry: string): boolean {
  const lower = entry.toLowerCase();
  if (lower === '*' || lower === 'loopback' || lower === 'private' || lower === 'local-names') return true;
  const cidr = CIDR.exec(lower);
  if (cidr) {
    const family = isIP(cidr[1]);
    const prefix = Number(cidr[2]);
    return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
  }
  if (isIP(lower)) return true;
  const name = lower.startsWith('.') ? lower.slice(1) : lower;
  return name.length > 0 && name.length <= 253 && HOST_NAME.test(name);
}

/** Builds the predicate for valid entries (see `isPolicyEntry`). */
export function destinationPolicy(entries: readonly string[]): DestinationPolicy {
  const lower = entries.map(entry => entry.toLowerCase());
  if (lower.includes('*')) return () => true;
  const ranges = new BlockList();
  const names = new Set<string>();
  const suffixes: string[] = [];
  let localNames = false;
  const addRanges = (list: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']>) => {
    for (const [network, prefix, family] of list) ranges.addSubnet(network, prefix, family);
  };
  for (const entry of lower) {
    if (entry === 'loopback') {
      addRanges(LOOPBACK_RANGES);
      names.add('localhost');
    } else if (entry === 'private') {
      addRanges(PRIVATE_RANGES);
    } else if (entry === 'local-names') {
      localNames = true;
    } else if (CIDR.test(entry)) {
      const [network, prefix] = entry.split('/');
      ranges.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
    } else if (isIP(entry)) {
      ranges.addAddress(entry, isIP(entry) === 6 ? 'ipv6' : 'ipv4');
    } else if (entry.startsWith('.')) {
      suffixes.push(entry);
      names.add(entry.slice(1));
    } else {
      names.add(entry);
    }
  }
  return host => {
    const normal = normaliseHost(host);
    if (normal === '') return false;
    const family = isIP(normal);
    if (family !== 0) return ranges.check(normal, family === 6 ? 'ipv6' : 'ipv4');
    if (names.has(normal)) return true;
    // All-digit or hex "names" (`134744072`, `0x08080808`) are addresses to the resolver.
    if (localNames && normal.indexOf('.') === -1 && !NUMERIC_HOST.test(normal)) return true;
    for (const suffix of suffixes) {
      if (normal.endsWith(suffix)) return true;
    }
    return false;
  };
}

/** Lowercase, without IPv6 brackets, port or a trailing dot. */
export function normaliseHost(host: string): string {
  let value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? '' : value.slice(1, end);
  }
  const colon = value.indexOf(':');
  if (colon !== -1 && value.indexOf(':', colon + 1) === -1) value = value.slice(0, colon);
  return value.endsWith('.') ? value.slice(0, -1) : value;
}
