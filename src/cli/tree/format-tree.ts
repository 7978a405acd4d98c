/**
 * `tracehop tree`'s two outputs: the hop tree drawn for a person, and one
 * JSON document per request for scripts. Pure: a tree in, text out.
 */
import { levelName } from '../pino-line';
import { printable } from '../printable';
import type { Hop, KeptLine, RequestTree } from './hop-tree';

export interface JsonHop {
  readonly chain: string;
  readonly service: string | null;
  readonly method?: string;
  readonly path?: string;
  readonly lines: readonly JsonLine[];
  readonly children: readonly JsonHop[];
}

export interface JsonLine {
  readonly time: number | null;
  readonly level: number | string | null;
  readonly msg: string | null;
}

/** One request as a JSON value: `{ requestId, root }`, the root a hop `{ chain, service, lines, children }`. */
export function treeToJson(tree: RequestTree): { requestId: string; root: JsonHop } {
  return { requestId: tree.requestId, root: hopToJson(tree.root) };
}

function hopToJson(hop: Hop): JsonHop {
  return {
    chain: hop.chain.join(','),
    service: hop.service ?? null,
    ...(hop.method !== undefined ? { method: hop.method } : {}),
    ...(hop.path !== undefined ? { path: hop.path } : {}),
    lines: hop.lines.map(line => ({
      time: Number.isNaN(line.time) ? null : line.time,
      level: line.level ?? null,
      msg: line.msg ?? null,
    })),
    children: hop.children.map(hopToJson),
  };
}

/**
 * The tree as text: the request id, then each hop (service, method, path and
 * the hop's own element of the chain), its lines beneath it in time order.
 */
export function formatTree(tree: RequestTree): string {
  const out: string[] = [`request ${printable(tree.requestId)}`];
  drawHop(tree.root, '', true, out, true);
  return out.join('\n') + '\n';
}

function drawHop(hop: Hop, prefix: string, last: boolean, out: string[], isRoot: boolean): void {
  const branch = last ? '└─ ' : '├─ ';
  const below = prefix + (last ? '   ' : '│  ');
  const route = [hop.method, hop.path].filter(part => part !== undefined).join(' ');
  const hopId = isRoot ? '' : `  (${hop.chain[hop.chain.length - 1]})`;
  out.push(`${prefix}${branch}${printable(`${hop.service ?? '(not logged)'}${route ? `  ${route}` : ''}${hopId}`)}`);
  const linePrefix = below + (hop.children.length > 0 ? '│  ' : '   ');
  for (const line of hop.lines) out.push(`${linePrefix}${formatLine(line)}`);
  hop.children.forEach((child, i) => drawHop(child, below, i === hop.children.length - 1, out, false));
}

function formatLine(line: KeptLine): string {
  const level = levelName(line.level);
  return printable(`${formatClock(line.time)}  ${level.padEnd(5)}  ${line.msg ?? ''}`.trimEnd());
}

/** HH:MM:SS.mmm in UTC: a request's lines are seconds apart, the date adds nothing. */
function formatClock(time: number): string {
  if (Number.isNaN(time)) return '--:--:--.---';
  return new Date(time).toISOString().slice(11, 23);
}
