/**
 * Where a request begins: the step between `propagation.extract` (pure: it
 * only reads what came in into the context, src/propagation/) and the start
 * of the request's root span (the server span, a job's consumer span).
 *
 * From what extract found it decides the request's correlation (README,
 * "Request ids and trace ids"):
 * - a valid remote parent continues that trace; extract already named the
 *   request (the incoming id, or the trace id as a UUID), nothing to arm;
 * - an incoming request id without a parent picks the trace id
 *   (`requestIdToTraceId`), for the root span about to start;
 * - nothing usable (or, in edge mode, anything a client sent): a new id from
 *   the request-id policy, and its trace id.
 * The caller starts the root span inside `idGenerator.withTraceId(traceId, ...)`.
 */
import { createContextKey, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { RequestCorrelation, getCorrelation, setCorrelation } from './correlation';
import type { ClientIds } from './correlation';
import { requestIdToTraceId, traceIdToUuid } from './ids/trace-id';
import type { RequestIdPolicy } from './request-id-policy';

const CLIENT_IDS_KEY = createContextKey('tracehop ids an untrusted client sent');

/** Edge mode's extract: what the client sent, kept (not trusted) for the request's start. */
export function setClientIds(context: Context, client: ClientIds): Context {
  return context.setValue(CLIENT_IDS_KEY, client);
}

export interface RequestStart {
  /** The extracted context with the request's correlation in it: the root span's parent context. */
  readonly context: Context;
  /** The trace id the root span must take, when it starts a trace; `undefined` when it continues a remote parent. */
  readonly traceId: string | undefined;
}

/** The request's correlation and the trace id of its root span, from an extracted context. */
export function decideRequest(extracted: Context, requestIds: RequestIdPolicy): RequestStart {
  const client = extracted.getValue(CLIENT_IDS_KEY) as ClientIds | undefined;
  if (client !== undefined) return newRequest(extracted.deleteValue(CLIENT_IDS_KEY), requestIds, client);
  const parent = trace.getSpanContext(extracted);
  const incoming = getCorrelation(extracted);
  if (parent !== undefined && trace.isSpanContextValid(parent)) {
    // Our extract names such a request already; a propagator set without ours does not.
    const context = incoming !== undefined ? extracted : setCorrelation(extracted, new RequestCorrelation(traceIdToUuid(parent.traceId), null));
    return { context, traceId: undefined };
  }
  if (incoming !== undefined) return { context: extracted, traceId: requestIdToTraceId(incoming.requestId) };
  return newRequest(extracted, requestIds, undefined);
}

function newRequest(base: Context, requestIds: RequestIdPolicy, client: ClientIds | undefined): RequestStart {
  const { requestId, traceId } = requestIds.generateWithTraceId();
  return { context: setCorrelation(base, new RequestCorrelation(requestId, null, client)), traceId };
}

/**
 * instrumentation-http's server path calls its start hook with the request,
 * then `propagation.extract` on `request.headers`, then starts the span: the
 * hook decides the request (and arms the generator), and the decision is
 * found again by extract for that same headers object, and no other. Held
 * weakly: an entry goes with its request.
 */
export class ClaimedCarriers {
  private readonly claimed = new WeakMap<object, RequestCorrelation>();

  claim(carrier: object, correlation: RequestCorrelation): void {
    this.claimed.set(carrier, correlation);
  }

  /** The correlation decided for this carrier's request, if its span is starting or has started. */
  claimOf(carrier: unknown): RequestCorrelation | undefined {
    return carrier !== null && typeof carrier === 'object' ? this.claimed.get(carrier) : undefined;
  }
}
