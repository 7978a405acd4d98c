/**
 * TRACEHOP_IGNORE_PATHS matching. Pure. An entry ending in `*` matches every
 * path that starts with the rest; any other entry matches that path exactly.
 * The query string is not part of the path.
 */
export type PathMatcher = (url: string | undefined) => boolean;

export function pathMatcher(entries: readonly string[]): PathMatcher {
  const exact = new Set(entries.filter(entry => !entry.endsWith('*')));
  const prefixes = entries.filter(entry => entry.endsWith('*')).map(entry => entry.slice(0, -1));
  if (exact.size === 0 && prefixes.length === 0) return () => false;
  return url => {
    if (url === undefined) return false;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (exact.has(path)) return true;
    for (const prefix of prefixes) {
      if (path.startsWith(prefix)) return true;
    }
    return false;
  };
}
