/**
 * The per-request correlation: the request id and the chain of hops, kept in
 * the OpenTelemetry context so that every span, log call and outgoing
 * request of the request's call tree can find it.
 */
import { createContextKey, propagation } from '@opentelemetry/api';
import type { Baggage, Context, Span, SpanContext } from '@opentelemetry/api';
import type { AddedFields } from './added-fields';
import { extendChain } from './ids/chain';

/** Baggage keys that carry the correlation downstream. */
export const REQUEST_ID_BAGGAGE_KEY = 'request.id';
export const REQUEST_CHAIN_BAGGAGE_KEY = 'request.chain';

/** Span attributes that let a Jaeger tag search find a request. */
export const REQUEST_ID_ATTRIBUTE = 'request.id';
export const REQUEST_CHAIN_ATTRIBUTE = 'request.chain';
/** Edge mode: the validated request id a client sent, kept but not trusted. */
export const CLIENT_REQUEST_ID_ATTRIBUTE = 'request.client_id';

/** What an untrusted client sent, kept on the server span in edge mode. */
export interface ClientIds {
  readonly requestId?: string;
  /** A valid remote parent, recorded as a span link rather than continued. */
  readonly parent?: SpanContext;
}

const CORRELATION_KEY = createContextKey('tracehop request correlation');

export class RequestCorrelation {
  private currentChain: string;
  private hopEntered = false;
  private bagIn: Baggage | undefined;
  private bagOut: Baggage | undefined;
  /** Log fields the app added for the rest of this request (`addLogFields`); replaced, never mutated, so caches can compare it. */
  addedFields: AddedFields | undefined;
  /** The request's root span in this service (its server span, or runAsRequest's), where a crash is recorded. */
  rootSpan: Span | undefined;

  /**
   * @param requestId the validated request id
   * @param incomingChain the validated chain that came with it (root first;
   *   the id alone when it came bare), or `null` when the id was born in this service
   */
  /** In a job: its id (the same on every attempt), set by src/jobs as the job starts. */
  jobId: string | undefined;
  /** In a job queued by another job's processor: that job's id. */
  parentJobId: string | undefined;

  constructor(
    readonly requestId: string,
    readonly incomingChain: readonly string[] | null,
    readonly client?: ClientIds,
  ) {
    this.currentChain = incomingChain === null ? requestId : incomingChain.join(',');
  }

  /** `request_chain`: the request id alone where it was born, else the incoming chain plus this service's hop. */
  get chain(): string {
    return this.currentChain;
  }

  /** Appends this service's hop id (its server span id) to the incoming chain, once; true the first time. */
  enterHop(hopId: string): boolean {
    if (this.hopEntered) return false;
    this.hopEntered = true;
    if (this.incomingChain !== null) {
      this.currentChain = extendChain(this.incomingChain, hopId);
      this.bagOut = undefined;
    }
    return true;
  }

  /** The baggage to send downstream: `bag` plus `request.id` and `request.chain`. Cached for the last `bag` seen. */
  outgoingBaggage(bag: Baggage | undefined): Baggage {
    if (this.bagOut !== undefined && bag === this.bagIn) return this.bagOut;
    this.bagIn = bag;
    this.bagOut = (bag ?? propagation.createBaggage())
      .setEntry(REQUEST_ID_BAGGAGE_KEY, { value: this.requestId })
      .setEntry(REQUEST_CHAIN_BAGGAGE_KEY, { value: this.currentChain });
    return this.bagOut;
  }
}

export function getCorrelation(context: Context): RequestCorrelation | undefined {
  return context.getValue(CORRELATION_KEY) as RequestCorrelation | undefined;
}

export function setCorrelation(context: Context, correlation: RequestCorrelation): Context {
  return context.setValue(CORRELATION_KEY, correlation);
}
