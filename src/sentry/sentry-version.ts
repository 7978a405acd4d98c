/**
 * Which versions of Sentry tracehop hooks, and what it says of the others.
 * Pure: a version string in, a class out.
 */

/**
 * - `hooked`: Sentry 11, whose `registerExternalPropagationContext` the hook uses;
 * - `upgrade`: Sentry 10 and older (8 to 10 have an OpenTelemetry bridge of
 *   their own that mixed scopes across requests): not hooked, upgrade to 11;
 * - `newer`: a major tracehop has not been tested with: not hooked;
 * - `unknown`: not a version.
 */
export type SentrySupport = 'hooked' | 'upgrade' | 'newer' | 'unknown';

export function sentrySupport(version: string | undefined): SentrySupport {
  const major = /^(\d+)\./.exec(version ?? '')?.[1];
  if (major === undefined) return 'unknown';
  const number = Number(major);
  if (number === 11) return 'hooked';
  return number < 11 ? 'upgrade' : 'newer';
}

/**
 * The line for a Sentry that ran before tracehop started (Sentry's own
 * `--import ./instrument.mjs` ahead of tracehop's preload): tracehop hooks
 * `@sentry/core` as it loads, so such a copy goes unhooked, silently. Read
 * from the global carrier Sentry sets as it loads (`globalThis.__SENTRY__`,
 * with its version); `undefined` when there is none, or for a version that
 * would not be hooked anyway (the doctor speaks of those).
 */
export function sentryLoadedFirstWarning(carrier: unknown): string | undefined {
  const version = (carrier as { version?: unknown } | null | undefined)?.version;
  if (typeof version !== 'string' || sentrySupport(version) !== 'hooked') return undefined;
  return (
    `Sentry ${version} was loaded before tracehop started, so its error events will not carry the request's trace id, request id or log lines: ` +
    `put tracehop's preload first (node --import tracehop/register --import ./instrument.mjs app.js, or -r tracehop/register)`
  );
}
