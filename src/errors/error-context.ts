/**
 * Which request an exception came from, when it is thrown synchronously.
 *
 * A throw from a timer, an I/O callback or a promise continuation reaches
 * `uncaughtExceptionMonitor` with the request's context still active (Node
 * runs the monitor inside the async resource that threw). A synchronous
 * throw out of `context.with(requestContext, handler)` does not: the context
 * is left as the exception propagates. The context manager below notes, for
 * an exception object, the innermost context it escaped from, so the crash
 * can still be tied to its request. The cost is a try/catch around `with`.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Context } from '@opentelemetry/api';

const escapedFrom = new WeakMap<object, Context>();

export class ErrorNotingContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A
  ): ReturnType<F> {
    try {
      return super.with(context, fn, thisArg, ...args);
    } catch (error) {
      // The innermost context wins: it is noted first, as the exception leaves it.
      if (error !== null && typeof error === 'object' && !escapedFrom.has(error)) escapedFrom.set(error, context);
      throw error;
    }
  }
}

/** The context `error` was thrown out of synchronously, if it was. */
export function contextOfError(error: unknown): Context | undefined {
  return error !== null && typeof error === 'object' ? escapedFrom.get(error) : undefined;
}
