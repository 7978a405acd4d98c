/**
 * Reads typed values from an environment object (never `process.env` itself:
 * config/index.ts hands it over), recording one warning per bad value that
 * names the variable, the value (when safe to show) and the value used instead.
 */
import { DEFAULT_PROPAGATE_TO, isPolicyEntry } from '../core/destination-policy';
import {
  DEFAULT_EXPORTER_TIMEOUT_MILLIS,
  DEFAULT_LOG_FIELDS,
  DEFAULT_TRACES_ENDPOINT,
  DOCTOR_FD_VARIABLE,
  DOCTOR_PID_VARIABLE,
  HEADER_NAME,
  LOG_FIELD_NAME,
} from './defaults';
import { DiagLogLevel } from '@opentelemetry/api';
import { parseDiagLogLevel } from '../diag';
import { compileCacheSetting } from './compile-cache';
import type { CompileCacheSetting } from './compile-cache';
import type { Env, LogFieldNames, PropagatorName, TracesExporterName } from './types';

/** Rejected values are shown cut to this many characters. */
const MAX_SHOWN_VALUE = 100;

/** Reads typed values from the environment, recording one warning per bad value. */
export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly warnings: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  private reject(name: string, value: string, expected: string, used: string): void {
    this.warnings.push(`${name}=${show(value)} is not ${expected}; using ${used}`);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.reject(name, value, 'true or false', String(fallback));
    return fallback;
  }

  integer(name: string, fallback: number, min: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min) return parsed;
    this.reject(name, value, `a whole number of at least ${min}`, String(fallback));
    return fallback;
  }

  ratio(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) return parsed;
    this.reject(name, value, 'a number from 0 to 1', String(fallback));
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (allowed.includes(lower)) return lower;
    this.reject(name, value, `one of ${allowed.join(', ')}`, fallback);
    return fallback;
  }

  /** TRACEHOP_COMPILE_CACHE (compile-cache.ts acts on it before tracehop loads; a bad value is reported here). */
  compileCache(name: string): CompileCacheSetting {
    const value = this.raw(name);
    const setting = compileCacheSetting(value);
    if (setting !== null) return setting;
    this.reject(name, value ?? '', 'true, false or an absolute directory', 'false');
    return { cache: false };
  }

  /** A Sentry tag key: Sentry accepts up to 32 characters of letters, digits, `_`, `.`, `:` and `-`. */
  sentryTag(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/^[A-Za-z0-9_.:-]{1,32}$/.test(value)) return value;
    this.reject(name, value, 'a Sentry tag key (up to 32 letters, digits, _ . : -)', fallback);
    return fallback;
  }

  list(name: string, fallback: string, valid: (item: string) => boolean, expected: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return splitList(fallback);
    const items = splitList(value);
    const good = items.filter(valid);
    if (good.length === items.length && (good.length > 0 || fallback === '')) return good;
    const used = good.length > 0 ? good : splitList(fallback);
    this.reject(name, value, `a comma-separated list of ${expected}`, used.join(',') || '(none)');
    return used;
  }

  /** The propagation policy: TRACEHOP_PROPAGATE_TO, else the defaults; TRACEHOP_SERVICE_DOMAIN adds a suffix. */
  propagateTo(): string[] {
    const entries = this.list(
      'TRACEHOP_PROPAGATE_TO',
      DEFAULT_PROPAGATE_TO.join(','),
      isPolicyEntry,
      'hosts, .domain suffixes, CIDR ranges, loopback, private, local-names or *',
    );
    const domain = this.raw('TRACEHOP_SERVICE_DOMAIN');
    if (domain === undefined) return entries;
    const suffix = domain.startsWith('.') ? domain : `.${domain}`;
    if (isPolicyEntry(suffix)) return [...entries, suffix];
    this.reject('TRACEHOP_SERVICE_DOMAIN', domain, 'a domain name', '(none)');
    return entries;
  }

  /**
   * 0 to 2 are stdin, stdout and stderr: the doctor's pipe is always above
   * them. It counts only in the process the doctor started (its pid is the
   * parent's): a process the app starts may have inherited the variables
   * and an fd 3 that is someone else's pipe.
   */
  doctorFd(parentPid: number | undefined): number | undefined {
    const value = this.raw(DOCTOR_FD_VARIABLE);
    if (value === undefined) return undefined;
    if (parentPid === undefined || this.raw(DOCTOR_PID_VARIABLE) !== String(parentPid)) return undefined;
    const fd = Number(value);
    if (Number.isInteger(fd) && fd >= 3) return fd;
    this.reject(DOCTOR_FD_VARIABLE, value, 'a file descriptor of at least 3', '(none)');
    return undefined;
  }

  logLevel(): DiagLogLevel {
    const value = this.raw('OTEL_LOG_LEVEL');
    if (value === undefined) return DiagLogLevel.WARN;
    const level = parseDiagLogLevel(value);
    if (level !== undefined) return level;
    this.reject('OTEL_LOG_LEVEL', value, 'one of none, error, warn, info, debug, verbose, all', 'warn');
    return DiagLogLevel.WARN;
  }

  tracesExporters(): TracesExporterName[] {
    const value = this.raw('OTEL_TRACES_EXPORTER');
    if (value === undefined) return ['otlp'];
    const names = splitList(value.toLowerCase());
    if (names.includes('none')) return [];
    const known = names.filter((name): name is TracesExporterName => name === 'otlp' || name === 'console');
    if (known.length !== names.length) {
      const used = known.length > 0 ? known : ['otlp' as const];
      this.reject('OTEL_TRACES_EXPORTER', value, 'a list of otlp, console or none', used.join(','));
      return used;
    }
    return [...new Set(known)];
  }

  propagators(): PropagatorName[] {
    const value = this.raw('OTEL_PROPAGATORS');
    if (value === undefined) return ['tracecontext', 'baggage'];
    const names = splitList(value.toLowerCase());
    if (names.includes('none')) return [];
    const allowed: readonly string[] = ['tracecontext', 'baggage', 'b3', 'b3multi'];
    const known = names.filter((name): name is PropagatorName => allowed.includes(name));
    if (names.includes('jaeger')) {
      // OpenTelemetry JS 3.x ships no Jaeger propagator, and the specification
      // deprecates it: refused by name, so the reason is in the one line.
      const used = known.length > 0 ? known : (['tracecontext', 'baggage'] as PropagatorName[]);
      this.reject(
        'OTEL_PROPAGATORS',
        value,
        `a list of ${allowed.join(', ')} or none (jaeger is no longer supported: its propagator is deprecated and OpenTelemetry JS 3.x dropped it)`,
        used.join(','),
      );
      return [...new Set(used)];
    }
    if (known.length !== names.length) {
      const used = known.length > 0 ? known : (['tracecontext', 'baggage'] as PropagatorName[]);
      this.reject('OTEL_PROPAGATORS', value, `a list of ${allowed.join(', ')} or none`, used.join(','));
      return [...new Set(used)];
    }
    return [...new Set(known)];
  }

  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; OTEL_EXPORTER_OTLP_ENDPOINT gets `/v1/traces` appended (OTLP exporter specification). */
  /** The traces-specific variable wins when set, as in the exporter. */
  exporterTimeout(): { millis: number; variable: string } {
    const variable = this.raw('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') === undefined ? 'OTEL_EXPORTER_OTLP_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT';
    return { millis: this.integer(variable, DEFAULT_EXPORTER_TIMEOUT_MILLIS, 1), variable };
  }

  /** OTEL_EXPORTER_OTLP_TRACES_COMPRESSION, else OTEL_EXPORTER_OTLP_COMPRESSION: `gzip` or `none`, as in the exporter. */
  compression(): 'gzip' | 'none' {
    const variable =
      this.raw('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') === undefined ? 'OTEL_EXPORTER_OTLP_COMPRESSION' : 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION';
    return this.oneOf(variable, ['gzip', 'none'] as const, 'none');
  }

  /**
   * The TLS files the exporter reads (OTLP exporter specification): the
   * collector's certificate authority, and the client's key and certificate
   * for mutual TLS. Each `TRACES_` form wins over its generic one, as in the
   * exporter. Paths only: the files are read where they are used (src/export).
   */
  tlsFiles(): { certificate?: string; clientKey?: string; clientCertificate?: string } {
    const path = (setting: string) => this.raw(`OTEL_EXPORTER_OTLP_TRACES_${setting}`) ?? this.raw(`OTEL_EXPORTER_OTLP_${setting}`);
    const files: { certificate?: string; clientKey?: string; clientCertificate?: string } = {};
    const certificate = path('CERTIFICATE');
    const clientKey = path('CLIENT_KEY');
    const clientCertificate = path('CLIENT_CERTIFICATE');
    if (certificate !== undefined) files.certificate = certificate;
    if (clientKey !== undefined) files.clientKey = clientKey;
    if (clientCertificate !== undefined) files.clientCertificate = clientCertificate;
    return files;
  }

  tracesEndpoint(): string {
    const specific = this.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    if (specific !== undefined && isHttpUrl(specific)) return specific;
    // Read once, so that a bad generic endpoint behind a bad traces endpoint is one warning, not two.
    const fallback = this.genericEndpoint();
    if (specific !== undefined) this.reject('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific, 'an http or https URL', fallback);
    return fallback;
  }

  private genericEndpoint(): string {
    const base = this.raw('OTEL_EXPORTER_OTLP_ENDPOINT');
    if (base === undefined) return DEFAULT_TRACES_ENDPOINT;
    if (isHttpUrl(base)) return base.replace(/\/+$/, '') + '/v1/traces';
    this.reject('OTEL_EXPORTER_OTLP_ENDPOINT', base, 'an http or https URL', DEFAULT_TRACES_ENDPOINT);
    return DEFAULT_TRACES_ENDPOINT;
  }

  /** `key=value,key2=value2`, values URL-encoded (W3C Baggage format, as the OTLP exporter specification says). */
  headers(name: string): Record<string, string> {
    const value = this.raw(name);
    const headers: Record<string, string> = {};
    if (value === undefined) return headers;
    let bad = 0;
    for (const pair of value.split(',')) {
      const at = pair.indexOf('=');
      const key = at > 0 ? pair.slice(0, at).trim() : '';
      let decoded: string | undefined;
      try {
        decoded = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
      } catch {
        // A malformed percent-escape: the pair is counted as bad below and named in the one warning.
        decoded = undefined;
      }
      if (!HEADER_NAME.test(key) || decoded === undefined || /[\r\n\0]/.test(decoded)) {
        bad++;
        continue;
      }
      headers[key] = decoded;
    }
    if (bad > 0) {
      // Header values are often credentials: name the variable, never the value.
      this.warnings.push(
        `${name} has ${bad} malformed entr${bad === 1 ? 'y' : 'ies'} (expected key=value pairs separated by commas); using the ${Object.keys(headers).length} valid one(s)`,
      );
    }
    return headers;
  }

  logFields(): LogFieldNames {
    const value = this.raw('TRACEHOP_LOG_FIELDS');
    if (value === undefined) return DEFAULT_LOG_FIELDS;
    const fields: Record<string, string> = { ...DEFAULT_LOG_FIELDS };
    const byDefaultName = new Map(Object.entries(DEFAULT_LOG_FIELDS).map(([key, name]) => [name, key]));
    let bad = false;
    for (const pair of splitList(value)) {
      const [from, to] = pair.split('=').map(part => part.trim());
      const key = byDefaultName.get(from);
      const takenByOther = Object.entries(fields).some(([other, name]) => other !== key && name === to);
      if (key === undefined || to === undefined || !LOG_FIELD_NAME.test(to) || takenByOther) {
        bad = true;
        continue;
      }
      fields[key] = to;
    }
    if (bad) {
      this.reject('TRACEHOP_LOG_FIELDS', value, 'a list of default=name pairs such as trace_id=traceId', describeFields(fields as unknown as LogFieldNames));
    }
    return fields as unknown as LogFieldNames;
  }
}

function describeFields(fields: LogFieldNames): string {
  return Object.entries(DEFAULT_LOG_FIELDS)
    .map(([key, name]) => `${name}=${fields[key as keyof LogFieldNames]}`)
    .join(',');
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map(item => item.trim())
    .filter(item => item.length > 0);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    // Not a URL: the caller rejects the value with one warning naming it.
    return false;
  }
}

/** Shows a rejected value safely: control characters escaped, long values cut. */
function show(value: string): string {
  const cut = value.length > MAX_SHOWN_VALUE ? `${value.slice(0, MAX_SHOWN_VALUE)}...` : value;
  return JSON.stringify(cut);
}
