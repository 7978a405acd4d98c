/**
 * Which request an exception came from, when it is thrown synchronously.
 *
 * A throw from a timer, an I/O callback or a promise continuation reaches
 * `uncaughtExceptionMonitor` with the request's context still active (Node
 * runs the monitor inside the async resource that threw). A synchronous
 * throw out of `context.with(requestContext, handler)` does not: the context
 * is left as the exception propagates. The context manager below notes the
 * innermost context an exception escaped from, so the crash can still be
 * tied to its request.
 *
 * It notes it in a `finally`, never catching the exception: a catch and
 * re-throw would make Node's crash banner point here instead of at the
 * app's own throw. Without the error object at hand, what is noted is the
 * escape of this synchronous unwinding: the innermost `with` it leaves sets
 * it, and a microtask clears it. An exception nobody catches reaches
 * `uncaughtExceptionMonitor` in that same unwinding, before any microtask
 * runs; one the app catches is forgotten at the next microtask checkpoint.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Context } from '@opentelemetry/api';

/** The context the exception now unwinding escaped from, innermost first; cleared by a microtask. */
let escapedFrom: Context | undefined;

const forgetEscape = () => {
  escapedFrom = undefined;
};

export class ErrorNotingContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    let returned = false;
    try {
      const result = super.with(context, fn, thisArg, ...args);
      returned = true;
      return result;
    } finally {
      // Only on a throw: the innermost `with` the exception leaves is noted first, and kept.
      if (!returned && escapedFrom === undefined) {
        escapedFrom = context;
        queueMicrotask(forgetEscape);
      }
    }
  }
}

/**
 * The context the exception being handled was thrown out of synchronously,
 * if it was: for `uncaughtExceptionMonitor`, which runs in the same
 * unwinding. The error itself is not needed, and is accepted for the callers' sake.
 */
export function contextOfError(_error: unknown): Context | undefined {
  return escapedFrom;
}
