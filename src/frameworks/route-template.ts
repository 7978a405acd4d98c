/**
 * Pure helpers for route templates (the `http.route` of the HTTP semantic
 * conventions): joining the templates of nested routers, and the span name
 * a template gives.
 */
import { spanMethod } from '../http/server-span/attributes';

/**
 * Joins mount templates and a route template into one path template:
 * `['/api', '/items/:itemId']` gives `/api/items/:itemId`. Empty parts and
 * `/` mounts add nothing; duplicate slashes collapse; a trailing slash is
 * dropped unless the whole template is `/`. Returns `null` when a part is not
 * a string (a RegExp or array mount has no single template to report).
 */
export function joinRouteTemplates(parts: readonly unknown[]): string | null {
  let joined = '';
  for (const part of parts) {
    if (typeof part !== 'string') return null;
    if (part === '' || part === '/') continue;
    joined += part.startsWith('/') ? part : `/${part}`;
  }
  joined = joined.replace(/\/{2,}/g, '/');
  if (joined.length > 1 && joined.endsWith('/')) joined = joined.slice(0, -1);
  return joined === '' ? '/' : joined;
}

/** The server span name for a matched route, per the HTTP semantic conventions: `METHOD template`. */
export function routeSpanName(method: string, template: string): string {
  return `${spanMethod(method)} ${template}`;
}
