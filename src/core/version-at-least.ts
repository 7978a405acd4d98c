/**
 * Whether a version string (`22.17.0`, `v24.1.0`, `9.6.0-rc.1`) is at least
 * `[major, minor]`. Pure; `false` for anything that does not start with a
 * major and a minor number, so that an unreadable version counts as an old
 * one and whoever asks falls back to what works everywhere.
 */
export function versionAtLeast(version: unknown, [major, minor]: readonly [number, number]): boolean {
  if (typeof version !== 'string') return false;
  const match = /^v?(\d+)\.(\d+)(?:\.|$)/.exec(version);
  if (match === null) return false;
  const [have, haveMinor] = [Number(match[1]), Number(match[2])];
  return have > major || (have === major && haveMinor >= minor);
}
