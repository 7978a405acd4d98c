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
