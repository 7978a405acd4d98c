/**
 * The request-id propagator: reads `X-Request-ID` (or the configured names)
 * on the way in and writes it on the way out.
 *
 * Extract is pure: it reads what came in into the context and nothing
 * else, so the same headers give the same context, and an app's own
 * `propagation.extract` (a Kafka consumer's) creates no id and decides no
 * trace id (as W3CTraceContextPropagator returns what it parsed):
 * - a valid remote parent (traceparent, or whichever propagator the user
 *   chose): the request's correlation, named by the incoming request id or
 *   the trace id written as a UUID;
 * - else an acceptable request id: the correlation it names;
 * - else nothing.
 * Ids are made, and the id generator armed, where the request's root span
 * starts (src/core/request-start.ts).
 *
 * It must run after the trace-context and baggage propagators, whose results
 * it reads from the context.
 */
import { propagation, trace } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import type { RequestIdPolicy } from '../core/request-id-policy';
import { setClientIds } from '../core/request-start';
import type { ClaimedCarriers } from '../core/request-start';
import { describeRejectedRequestId, parseRequestId } from '../core/ids/request-id';
import type { ParsedRequestId } from '../core/ids/request-id';
import { traceIdToUuid } from '../core/ids/trace-id';
import { reporter } from '../diag';
import { APP_SENT_REQUEST_ID } from './policy-propagator';
import { REQUEST_CHAIN_BAGGAGE_KEY, REQUEST_ID_BAGGAGE_KEY, RequestCorrelation, getCorrelation, setCorrelation } from '../core/correlation';

export interface RequestIdPropagatorOptions {
  /** Header names to read, lowercase, in order of preference. */
  readonly headers: readonly string[];
  /** The header name to write on outgoing calls. */
  readonly outgoingHeader: string;
  /** The request-id policy in force (the runtime's): which incoming ids are accepted, and how they are rewritten. */
  readonly requestIds: RequestIdPolicy;
  /** instrumentation-http's server path: the requests its start hook decided (src/http/server-hooks.ts). */
  readonly claimed?: ClaimedCarriers;
  /** Edge mode: a client's ids and baggage never pick our trace or request id. */
  readonly edge?: boolean;
}

export class RequestIdPropagator implements TextMapPropagator {
  private readonly headers: readonly string[];
  private readonly outgoingHeader: string;
  private readonly requestIds: RequestIdPolicy;
  private readonly claimed: ClaimedCarriers | undefined;
  private readonly edge: boolean;

  constructor(options: RequestIdPropagatorOptions) {
    this.headers = options.headers;
    this.outgoingHeader = options.outgoingHeader;
    this.requestIds = options.requestIds;
    this.claimed = options.claimed;
    this.edge = options.edge ?? false;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const correlation = getCorrelation(context);
    if (correlation !== undefined && context.getValue(APP_SENT_REQUEST_ID) !== true) {
      setter.set(carrier, this.outgoingHeader, correlation.requestId);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.edge ? this.extractAtEdge(context, carrier, getter) : this.extractIncoming(context, carrier, getter);
    const claimed = this.claimed?.claimOf(carrier);
    return claimed === undefined ? extracted : setCorrelation(extracted, claimed);
  }

  private extractIncoming(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const incoming = this.readIncoming(context, carrier, getter);
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && trace.isSpanContextValid(parent)) {
      const requestId = incoming?.id ?? traceIdToUuid(parent.traceId);
      return setCorrelation(context, new RequestCorrelation(requestId, incoming?.chain ?? null));
    }
    return incoming === null ? context : setCorrelation(context, new RequestCorrelation(incoming.id, incoming.chain));
  }

  /**
   * Edge mode: the remote parent and the baggage a client sent are dropped
   * from the context, and the client's validated request id and valid
   * traceparent are kept for the server span (an attribute and a link),
   * never trusted; the request starts a new trace and id where it starts.
   */
  private extractAtEdge(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const remote = trace.getSpanContext(context);
    const parent = remote !== undefined && trace.isSpanContextValid(remote) ? remote : undefined;
    const clientRequestId = this.readHeaders(carrier, getter)?.id;
    const clean = trace.deleteSpan(propagation.deleteBaggage(context));
    return setClientIds(clean, { requestId: clientRequestId, parent });
  }

  fields(): string[] {
    return [this.outgoingHeader.toLowerCase()];
  }

  /**
   * The incoming request id, and the chain it came with (accepted and
   * rewritten by the request-id policy): from the first
   * request-id header that holds an acceptable value, else from baggage.
   *
   * A bare id (no chain form, no `request.chain` in baggage) was born
   * elsewhere, in a client, a load balancer or another team's service: it is
   * the root of a chain this service extends with its own hop. A chain in
   * baggage counts only when its root is the request id, so a chain is never
   * paired with another request's id.
   */
  private readIncoming(context: Context, carrier: unknown, getter: TextMapGetter): Incoming | null {
    let parsed = this.readHeaders(carrier, getter);
    const bag = propagation.getBaggage(context);
    if (parsed === null) {
      const fromBaggage = bag?.getEntry(REQUEST_ID_BAGGAGE_KEY)?.value;
      parsed = fromBaggage === undefined ? null : this.requestIds.parse(fromBaggage);
      if (parsed === null) return null;
    }
    if (parsed.chain.length > 1) return parsed;
    const chainValue = bag?.getEntry(REQUEST_CHAIN_BAGGAGE_KEY)?.value;
    const chain = chainValue === undefined ? null : parseRequestId(chainValue);
    return { id: parsed.id, chain: chain !== null && chain.id === parsed.id ? chain.chain : [parsed.id] };
  }

  /** The first request-id header holding an acceptable value; each rejected one is reported, rate-limited, without its value. */
  private readHeaders(carrier: unknown, getter: TextMapGetter): ParsedRequestId | null {
    for (const header of this.headers) {
      const value = getter.get(carrier, header);
      if (value === undefined) continue;
      const parsed = this.requestIds.parse(value);
      if (parsed !== null) return parsed;
      reporter.warn(`rejected ${header}`, `ignored an incoming ${header} header: ${describeRejectedRequestId(value)}`);
    }
    return null;
  }
}

/** A request id that came in, with its chain (the id alone for a bare id). */
interface Incoming {
  readonly id: string;
  readonly chain: readonly string[];
}
