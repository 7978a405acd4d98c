/**
 * The request whose code is running, read and given log fields:
 * `currentRequest`, `addLogFields` and `withLogFields`. Each is safe
 * anywhere: with tracehop off or outside any request it returns `undefined`
 * or runs `fn` plainly, and none throws into the app.
 */
import { context, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { reporter, tracehopDiag } from '../diag';
import { getCorrelation } from '../core/correlation';
import { AddedFields } from '../core/added-fields';
import { FieldScope, getFieldScope, setFieldScope } from './field-scope';

/** What `currentRequest()` returns. */
export interface CurrentRequest {
  /** The request id: what `request_id` holds in log lines and `X-Request-ID` carries. */
  readonly requestId: string;
  /** `request_chain`: the request id, then the hops it passed through. */
  readonly chain: string;
  /** The trace id, 32 lowercase hex digits. */
  readonly traceId: string;
  /** The id of the span that is active where `currentRequest()` was called. */
  readonly spanId: string;
}

/** Each misuse is reported once per process: a call in a loop must not flood stderr. */
const reported = new Set<string>();

function reportOnce(kind: string, message: string): void {
  if (reported.has(kind)) return;
  reported.add(kind);
  try {
    tracehopDiag.warn(message);
  } catch {
    // Nothing more is lost: a diag logger that throws has nowhere else to report to.
  }
}

/**
 * The request (or job) whose code is running: its request id, chain, trace
 * id and the active span's id. `undefined` outside any request, or when
 * tracehop is off.
 *
 *     const request = currentRequest();
 *     if (request) res.setHeader('x-debug-trace', request.traceId);
 */
export function currentRequest(): CurrentRequest | undefined {
  try {
    const active = context.active();
    const correlation = getCorrelation(active);
    const spanContext = trace.getSpanContext(active);
    if (correlation === undefined || spanContext === undefined || !trace.isSpanContextValid(spanContext)) return undefined;
    return Object.freeze({ requestId: correlation.requestId, chain: correlation.chain, traceId: spanContext.traceId, spanId: spanContext.spanId });
  } catch (error) {
    // The app is told there is no request, as documented for tracehop off; what is lost is this one answer.
    reporter.warn('currentRequest failed', `currentRequest: the request could not be read: ${error instanceof Error ? error.message : typeof error}`);
    return undefined;
  }
}

/**
 * From now on, every pino line of the current request carries `fields`, in
 * all of the request's async continuations and in no other request. A later
 * call adds names or overrides them. The fields are serialized here, once
 * (a value JSON cannot hold, such as a BigInt or a cycle, is left out and
 * reported once through diag); an app's field wins over tracehop's own of
 * the same name, as the app's own pino fields do. Outside a request it does
 * nothing and says so once through diag.
 *
 *     addLogFields({ user: user.id, tenant: tenant.slug });
 */
export function addLogFields(fields: Readonly<Record<string, unknown>>): void {
  try {
    const correlation = getCorrelation(context.active());
    if (correlation === undefined) {
      reportOnce('outside', 'addLogFields was called outside any request (or with tracehop off): the fields were not added');
      return;
    }
    const added = toAddedFields(fields, 'addLogFields', correlation.addedFields);
    if (added !== undefined) correlation.addedFields = added;
  } catch (error) {
    // Never into the app; what is lost is these fields on the request's later lines.
    reporter.warn('addLogFields failed', `addLogFields: the fields were not added: ${error instanceof Error ? error.message : typeof error}`);
  }
}

/**
 * Runs `fn` with `fields` on every pino line written inside it and in what
 * it awaits, over the request's own fields; returns what `fn` returns, a
 * promise included. Outside a request it runs `fn` plainly. An exception
 * from `fn` is the app's own and reaches the caller unchanged.
 *
 *     await withLogFields({ step: 'charge' }, () => payments.charge(card));
 */
export function withLogFields<T>(fields: Readonly<Record<string, unknown>>, fn: () => T): T {
  let scoped: Context | undefined;
  try {
    scoped = scopedContext(fields);
  } catch (error) {
    // `fn` runs plainly, below; what is lost is the block's fields on its lines.
    scoped = undefined;
    reporter.warn('withLogFields failed', `withLogFields: fn ran without the fields: ${error instanceof Error ? error.message : typeof error}`);
  }
  return scoped === undefined ? fn() : context.with(scoped, fn);
}

function scopedContext(fields: Readonly<Record<string, unknown>>): Context | undefined {
  const active = context.active();
  if (getCorrelation(active) === undefined) return undefined;
  const outer = getFieldScope(active);
  const own = toAddedFields(fields, 'withLogFields', undefined);
  if (own === undefined) return undefined;
  return setFieldScope(active, new FieldScope(outer === undefined ? own : outer.own.merge(own)));
}

/** `fields` serialized over `base`; `undefined`, reported once, when `fields` is not an object. */
function toAddedFields(fields: unknown, caller: string, base: AddedFields | undefined): AddedFields | undefined {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    reportOnce(
      `${caller} argument`,
      `${caller} takes an object of fields; it was given ${fields === null ? 'null' : Array.isArray(fields) ? 'an array' : typeof fields}`,
    );
    return undefined;
  }
  const { added, dropped } = AddedFields.from(fields, base);
  if (dropped.length > 0) reportOnce(`${caller} dropped`, `${caller}: left out fields that JSON cannot hold (${dropped.join(', ')})`);
  return added;
}
