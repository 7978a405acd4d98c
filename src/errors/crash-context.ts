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
 * The token is not disposed: no hook of tracehop's runs after the
 * listeners. The context stays active for the rest of the callback that
 * threw, which was that request's; the next request starts from the root
 * context as always (src/http/server-span/), and a process going down
 * runs nothing else.
 */
import { context } from '@opentelemetry/api';
import { getCorrelation } from '../core/correlation';
import { contextOfError } from './error-context';

/** Makes the request `error` escaped from synchronously the active context; nothing when a request is active already, or it escaped none. */
export function reenterEscapedRequest(error: unknown): void {
  const escaped = contextOfError(error);
  if (escaped === undefined || getCorrelation(escaped) === undefined || getCorrelation(context.active()) !== undefined) return;
  context.attach(escaped);
}
