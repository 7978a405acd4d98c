/**
 * A trace drawn for a person: the request id and trace id on top, then one
 * row per span (service, name, kind, duration, status, and a waterfall bar
 * placing it within the trace), nested by parent, with the span's pino lines
 * beneath it. Pure: a document and a colour choice in, text out.
 */
import { levelName } from '../pino-line';
import { printable } from '../printable';
import { DEFAULT_LOG_FIELDS } from '../../config';
import type { LogFieldNames } from '../../config';
import type { LateLogDocument } from './late-logs';
import type { LogRecord } from './log-index';
import type { SpanNode, TraceDocument } from './trace-document';

export interface Palette {
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const plain = (text: string): string => text;
/** No escape codes at all: what a pipe, a file or NO_COLOR gets. */
export const NO_COLOUR: Palette = { dim: plain, bold: plain, red: plain, cyan: plain };
const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;
/** ANSI SGR colours (ECMA-48), for a terminal. */
export const ANSI_COLOUR: Palette = { dim: sgr(2, 22), bold: sgr(1, 22), red: sgr(31, 39), cyan: sgr(36, 39) };

const BAR_WIDTH = 30;
const MAX_LABEL = 60;
/** Fields every pino line has: shown as the row itself, or not at all. tracehop's own fields (under their configured names) join them. */
const PINO_FIELDS = ['level', 'time', 'msg', 'pid', 'hostname'];

interface Row {
  readonly label: string;
  readonly node: SpanNode;
  readonly logPrefix: string;
}

/** `logFields`: the names tracehop's fields were written under (TRACEHOP_LOG_FIELDS), left out of each log row. */
export function formatTrace(doc: TraceDocument, colour: Palette, logFields: LogFieldNames = DEFAULT_LOG_FIELDS): string {
  const quiet = new Set([...PINO_FIELDS, ...(Object.values(logFields) as string[])]);
  const rows: Row[] = [];
  doc.roots.forEach((root, i) => collectRows(root, '', i === doc.roots.length - 1, rows, true));
  const width = Math.min(MAX_LABEL, Math.max(...rows.map(row => row.label.length)));
  const errors = rows.filter(row => row.node.status.code === 'error').length;
  const head = [
    colour.bold(`request ${printable(doc.requestId ?? '(no request.id)')}`),
    colour.dim(`trace ${printable(doc.traceId)}`),
    `${formatMs(doc.durationMs)}, ${doc.spanCount} span${doc.spanCount === 1 ? '' : 's'}`,
    ...(errors > 0 ? [colour.red(`${errors} error${errors === 1 ? '' : 's'}`)] : []),
  ].join('  ');
  const out = [head];
  for (const row of rows) {
    const { node } = row;
    const failed = node.status.code === 'error';
    const label = row.label.length > width ? `${row.label.slice(0, width - 1)}…` : row.label.padEnd(width);
    const status = failed ? colour.red(`✗ error${node.status.message ? `: ${printable(node.status.message)}` : ''}`) : node.status.code;
    const bar = waterfall(node, doc.durationMs);
    out.push(
      `${colourLabel(label, node, colour)}  ${node.kind.padEnd(8)} ${formatMs(node.durationMs).padStart(9)}  ${failed ? colour.red(bar) : colour.cyan(bar)}  ${status}`,
    );
    for (const record of node.logs) out.push(colour.dim(`${row.logPrefix}· `) + formatLog(record, failed ? colour : NO_COLOUR, quiet));
  }
  return out.join('\n') + '\n';
}

/**
 * A log line that came after its trace was printed: a header naming it late,
 * with its request, trace and span ids, and the line drawn as under a span.
 */
export function formatLateLog(doc: LateLogDocument, colour: Palette, logFields: LogFieldNames = DEFAULT_LOG_FIELDS): string {
  const quiet = new Set([...PINO_FIELDS, ...(Object.values(logFields) as string[])]);
  const requestId = doc.lateLog[logFields.requestId];
  const head = [
    colour.bold('late log'),
    ...(typeof requestId === 'string' ? [`request ${printable(requestId)}`] : []),
    colour.dim(`trace ${printable(doc.traceId)}  span ${printable(doc.spanId)}`),
  ].join('  ');
  return `${head}\n${colour.dim('  · ')}${formatLog(doc.lateLog, colour, quiet)}\n`;
}

function collectRows(node: SpanNode, prefix: string, last: boolean, rows: Row[], root: boolean): void {
  const branch = root ? '' : last ? '└─ ' : '├─ ';
  const below = root ? '' : prefix + (last ? '   ' : '│  ');
  const childPrefix = root ? (last ? '' : '│  ') : below;
  rows.push({
    label: `${prefix}${branch}${printable(node.service)} ${printable(node.name)}${printable(routeOf(node))}`,
    node,
    logPrefix: `${childPrefix}${node.children.length > 0 ? '│ ' : '  '}`,
  });
  node.children.forEach((child, i) => collectRows(child, childPrefix, i === node.children.length - 1, rows, false));
}

/** HTTP spans are named by method alone (OTel semantic conventions); the route or path says which call it was. */
function routeOf(node: SpanNode): string {
  if (node.name.includes('/')) return '';
  const a = node.attributes;
  const direct = [a['http.route'], a['url.path'], a['http.target']].find(value => typeof value === 'string' && value.startsWith('/'));
  if (typeof direct === 'string') return ` ${direct.split('?')[0]}`;
  const full = [a['url.full'], a['http.url']].find(value => typeof value === 'string');
  if (typeof full !== 'string') return '';
  try {
    return ` ${new URL(full).pathname}`;
  } catch {
    return '';
  }
}

function colourLabel(label: string, node: SpanNode, colour: Palette): string {
  const service = printable(node.service);
  const at = label.indexOf(service);
  if (at < 0 || service === '') return label;
  return label.slice(0, at) + colour.bold(service) + label.slice(at + service.length);
}

/** `[   ████      ]`: where the span starts and how long it lasts, on the trace's time line; at least one cell. */
export function waterfall(node: Pick<SpanNode, 'startMs' | 'durationMs'>, traceMs: number): string {
  if (traceMs <= 0) return `[${'█'.repeat(BAR_WIDTH)}]`;
  const from = Math.min(BAR_WIDTH - 1, Math.floor((node.startMs / traceMs) * BAR_WIDTH));
  const to = Math.max(from + 1, Math.min(BAR_WIDTH, Math.ceil(((node.startMs + node.durationMs) / traceMs) * BAR_WIDTH)));
  return `[${' '.repeat(from)}${'█'.repeat(to - from)}${' '.repeat(BAR_WIDTH - to)}]`;
}

function formatLog(record: LogRecord, colour: Palette, quiet: ReadonlySet<string>): string {
  const level = levelName(record.level);
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const extra = Object.entries(record)
    .filter(([key]) => !quiet.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const text = printable(`${time} ${level.padEnd(5)} ${typeof record.msg === 'string' ? record.msg : ''}${extra ? `  ${extra}` : ''}`);
  return typeof record.level === 'number' && record.level >= 50 ? colour.red(text) : text;
}

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}
