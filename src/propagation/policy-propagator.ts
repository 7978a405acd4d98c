/**
 * Applies the destination policy to outgoing calls.
 *
 * Neither the http nor the fetch instrumentation tells a propagator where a
 * request goes. Both call a start-span hook with the request, synchronously,
 * just before `propagation.inject`; the hook records the verdict here and the
 * next inject obeys it. A call to a destination outside the policy still gets
 * its client span, but none of our headers. An inject with no verdict (a user
 * calling `propagation.inject` directly, another instrumentation) is allowed.
 * The same hooks note whether the app set the request-id header itself.
 * A verdict that no inject used is dropped at the end of the synchronous run.
 */
import { createContextKey } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import type { DestinationPolicy } from '../core/destination-policy';

/** Set on the inject context when the app already put a request-id header on the call. */
export const APP_SENT_REQUEST_ID = createContextKey('tracehop app sent its own request id');

export interface Verdict {
  /** The destination may receive our headers. */
  readonly allowed: boolean;
  /** The app set the request-id header itself: keep its value, add none (fetch would send two). */
  readonly appSentRequestId: boolean;
}

const NO_VERDICT: Verdict = { allowed: true, appSentRequestId: false };
const REFUSED: Verdict = { allowed: false, appSentRequestId: false };

export class DestinationGate {
  private verdict: Verdict | undefined;
  private generation = 0;

  constructor(private readonly policy: DestinationPolicy) {}

  /**
   * Records the verdict for the request about to be injected. Fails closed:
   * if judging throws (an origin of an unexpected shape), nothing is sent.
   */
  judge(host: () => string | undefined, appSentRequestId: () => boolean): void {
    this.verdict = REFUSED;
    try {
      const name = host();
      this.verdict = { allowed: name === undefined || this.policy(name), appSentRequestId: appSentRequestId() };
    } catch {
      // Fails closed: the verdict stays REFUSED, so the call goes out with its span but without our headers; no header is sent where it should not be.
    }
    const generation = ++this.generation;
    queueMicrotask(() => {
      if (this.generation === generation) this.verdict = undefined;
    });
  }

  /** The verdict for the inject happening now; allows when there is none. */
  take(): Verdict {
    const verdict = this.verdict ?? NO_VERDICT;
    this.verdict = undefined;
    return verdict;
  }
}

export class PolicyPropagator implements TextMapPropagator {
  constructor(
    private readonly inner: TextMapPropagator,
    private readonly gate: DestinationGate,
  ) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const verdict = this.gate.take();
    if (!verdict.allowed) return;
    this.inner.inject(verdict.appSentRequestId ? context.setValue(APP_SENT_REQUEST_ID, true) : context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
