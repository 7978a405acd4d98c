/**
 * Where added log fields live, and how a log call finds them.
 *
 * `addLogFields` adds to the request's correlation (one object per request,
 * in the OpenTelemetry context of every continuation of that request), so
 * the fields reach all of the request and nothing else. `withLogFields`
 * puts a scope in a context value of its own, which lives exactly as long
 * as the context `fn` runs in and what it awaits. A log call reads both:
 * two context lookups, and the JSON fragment cached on the scope for the
 * request's current fields.
 */
import { createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { getCorrelation } from '../core/correlation';
import { AddedFields } from '../core/added-fields';

const SCOPE_KEY = createContextKey('tracehop withLogFields scope');

/** The fields of one `withLogFields` block, over those of the blocks around it. */
export class FieldScope {
  private renderedFor: AddedFields | undefined;
  private rendered: AddedFields;

  constructor(readonly own: AddedFields) {
    this.rendered = own;
  }

  /** The request's fields with this scope's over them; computed again only when the request's fields changed. */
  over(requestFields: AddedFields | undefined): AddedFields {
    if (requestFields === undefined) return this.own;
    if (requestFields !== this.renderedFor) {
      this.renderedFor = requestFields;
      this.rendered = requestFields.merge(this.own);
    }
    return this.rendered;
  }
}

export function getFieldScope(context: Context): FieldScope | undefined {
  return context.getValue(SCOPE_KEY) as FieldScope | undefined;
}

export function setFieldScope(context: Context, scope: FieldScope): Context {
  return context.setValue(SCOPE_KEY, scope);
}

export function deleteFieldScope(context: Context): Context {
  return context.deleteValue(SCOPE_KEY);
}

/** The fields the app added that apply in `context`, or `undefined` when there are none. */
export function addedFieldsIn(context: Context): AddedFields | undefined {
  const requestFields = getCorrelation(context)?.addedFields;
  const scope = getFieldScope(context);
  return scope === undefined ? requestFields : scope.over(requestFields);
}
