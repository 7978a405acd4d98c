/**
 * The message carrier: a plain object of string entries that travels with a
 * job and holds the context of whoever queued it.
 *
 * Its entries are what the global propagator writes for an outgoing call
 * (traceparent, tracestate, baggage with `request.id` and `request.chain`,
 * the request-id header), with lowercase keys, plus the id of the job whose
 * processor queued this one. BullMQ's own telemetry keeps the same kind of
 * object, as JSON, in the job options' `telemetry.metadata`, so each side
 * reads what the other wrote.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { getCorrelation } from '../core/correlation';

/** The carrier entry that names the job whose processor queued this message. */
export const PARENT_JOB_ID_KEY = 'tracehop-parent-job-id';

/** A message's context: string entries, JSON-serializable. */
export type JobCarrier = Record<string, string>;

/** Lowercase keys, so a carrier reads the same whatever case a propagator used for its header names. */
const lowercaseSetter: TextMapSetter<JobCarrier> = {
  set(carrier, key, value) {
    carrier[key.toLowerCase()] = value;
  },
};

export const carrierGetter: TextMapGetter<JobCarrier> = {
  keys(carrier) {
    return Object.keys(carrier);
  },
  get(carrier, key) {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    return typeof value === 'string' ? value : undefined;
  },
};

/** Writes `from`'s trace context, baggage, request id and job id into `carrier`. Returns `carrier`. */
export function injectContext(from: Context, carrier: JobCarrier): JobCarrier {
  propagation.inject(from, carrier, lowercaseSetter);
  const jobId = getCorrelation(from)?.jobId;
  if (jobId !== undefined) carrier[PARENT_JOB_ID_KEY] = jobId;
  return carrier;
}

/**
 * Writes the active context (its trace context, its baggage with
 * `request.id` and `request.chain`, its request id, and the running job's
 * id) into `carrier`, for a message about to be sent on any queue. The
 * consumer passes the same entries to {@link runWithCarrier}.
 *
 * @param carrier a plain object that travels with the message (its headers or
 *   attributes, or a field of its body); existing entries of the same names are replaced
 * @returns the same object
 */
export function inject<T extends Record<string, unknown>>(carrier: T): T {
  try {
    injectContext(context.active(), carrier as unknown as JobCarrier);
  } catch {
    // A carrier that refuses writes (frozen, a proxy) leaves the message as it was.
  }
  return carrier;
}

/** The carrier a BullMQ job's `opts.telemetry.metadata` holds (a JSON object as a string), or `undefined`. */
export function parseMetadata(metadata: unknown): JobCarrier | undefined {
  if (typeof metadata !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(metadata);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const carrier: JobCarrier = {};
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') carrier[key] = value;
    return carrier;
  } catch {
    // Not a carrier of ours (BullMQ's own telemetry may write other forms): the job starts a trace of its own.
    return undefined;
  }
}

/** Whether a context extracted from a carrier holds a valid remote span (a producer to continue or link to). */
export function hasTraceContext(extracted: Context): boolean {
  const spanContext = trace.getSpanContext(extracted);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext);
}
