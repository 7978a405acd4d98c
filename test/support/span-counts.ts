/**
 * Reads the span-counts line tracehop writes to stderr as a process ends
 * (see describeExportStats in src/export/export-stats.ts).
 */
export interface SpanCounts {
  created: number;
  exported: number;
  dropped: number;
  queueFull: number;
  exportFailed: number;
  afterShutdown: number;
  unsent: number;
  peakQueued: number;
  maxQueueSize: number;
}

const SPAN_COUNTS =
  /span counts \(otlp\): (\d+) created, (\d+) exported, (\d+) dropped \((\d+) queue full, (\d+) export failed, (\d+) after shutdown\), (\d+) unsent; queue peak (\d+) of (\d+)/;

/** The counts in `stderr`; throws, showing stderr, when the line is missing. */
export function parseSpanCounts(stderr: string): SpanCounts {
  const match = SPAN_COUNTS.exec(stderr);
  if (match === null) throw new Error(`no span-counts line in stderr:\n${stderr}`);
  const [created, exported, dropped, queueFull, exportFailed, afterShutdown, unsent, peakQueued, maxQueueSize] = match.slice(1).map(Number);
  return { created, exported, dropped, queueFull, exportFailed, afterShutdown, unsent, peakQueued, maxQueueSize };
}
