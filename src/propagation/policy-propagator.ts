/**
 * Applies the destination policy to outgoing calls.
 *
 * Neither the http nor the fetch instrumentation tells a propagator where a
 * request goes. Both call a start-span hook with the request, synchronously,
 * just before `propagation.inject`; the hook records the verdict here and the
 * next inject obeys it. A call to a destination outside the policy still gets
 * its client span, but none of our headers. An inject with no verdict (a user
 * calling `propagation.inject` directly, another instrumentation) is allowed.
 * A verdict that no inject used is dropped at the end of the synchronous run.
 */
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import type { DestinationPolicy } from './destination-policy';

export class DestinationGate {
  private verdict: boolean | undefined;
  private generation = 0;

  constructor(private readonly policy: DestinationPolicy) {}

  /** Records whether the request about to be injected may carry our headers. */
  judge(host: string | undefined): void {
    this.verdict = host === undefined ? true : this.policy(host);
    const generation = ++this.generation;
    queueMicrotask(() => {
      if (this.generation === generation) this.verdict = undefined;
    });
  }

  /** The verdict for the inject happening now; allows when there is none. */
  take(): boolean {
    const verdict = this.verdict;
    this.verdict = undefined;
    return verdict !== false;
  }
}

export class PolicyPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator, private readonly gate: DestinationGate) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (this.gate.take()) this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
