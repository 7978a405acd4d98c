/**
 * The request an exception escaped from, active again while the process's
 * `uncaughtException` listeners run: the app's own, and error reporters'
 * such as Sentry's, which captures the error there and reads the active
 * request for the event's trace id, request id and chain (src/sentry/).
 *
 * A throw from a timer or an I/O callback reaches the listeners with its
 * request's context still active. A synchronous throw out of a request
 * handler does not: the context was left as the exception unwound out of
 * `context.with` (error-context.ts). Node calls `uncaughtExceptionMonitor`
 * and then the `uncaughtException` listeners in one synchronous run, so
 * the monitor attaches the context the exception escaped from
 * (`context.attach`, the API's way to bridge what `with` cannot wrap).
 *
 * The token is disposed as soon as the listeners are done. Where
 * AsyncLocalStorage is built on async hooks (Node 22's default, or
 * --no-async-context-frame), `attach` sets the store of the async resource
 * that threw, and every later callback of that resource would run in the
 * request: a connection made at start-up and shared by all requests (a
 * database's, a cache's) would give that request's ids to every later
 * line and span of its callbacks. Node calls the `after` hooks of the
 * resources on its stack right after the listeners of an exception they
 * handled; an `after` hook is enabled for just that call, and disposes the
 * token there, in the resource that threw. Should that call never come,
 * an immediate switches the hook off (the token is then disposed there,
 * which restores nothing in the resource that threw).
 */
import { context } from '@opentelemetry/api';
import { createHook, executionAsyncResource } from 'node:async_hooks';
import { getCorrelation } from '../core/correlation';
import { contextOfError } from './error-context';

/** Makes the request `error` escaped from synchronously the active context, until the `uncaughtException` listeners are done; nothing when a request is active already, or it escaped none. */
export function reenterEscapedRequest(error: unknown): void {
  const escaped = contextOfError(error);
  if (escaped === undefined || getCorrelation(escaped) === undefined || getCorrelation(context.active()) !== undefined) return;
  const threw = executionAsyncResource();
  const token = context.attach(escaped);
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    try {
      hook.disable();
      token.dispose();
    } catch {
      // A throw from an async hook ends the process: the request then stays active where it was attached, as it would have.
    }
  };
  const hook = createHook({
    after() {
      if (executionAsyncResource() === threw) leave();
    },
  });
  hook.enable();
  setImmediate(leave).unref();
}
