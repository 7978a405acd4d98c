import type { DiagLogger } from '@opentelemetry/api';
import { RateLimitedReporter, StderrDiagLogger, quietly } from '../../../src/diag';

function recorder() {
  const lines: string[] = [];
  const record = (message: string) => {
    lines.push(message);
  };
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: record, verbose: record };
  return { lines, logger };
}

describe('RateLimitedReporter', () => {
  test('reports each kind once per interval and counts what it held back', () => {
    let now = 0;
    const { lines, logger } = recorder();
    const reporter = new RateLimitedReporter(logger, 60_000, () => now);
    for (let i = 0; i < 100; i++) reporter.warn('export ECONNREFUSED', 'trace export failed');
    reporter.warn('rejected x-request-id', 'ignored a header');
    expect(lines).toEqual(['trace export failed', 'ignored a header']);
    now = 60_000;
    reporter.warn('export ECONNREFUSED', 'trace export failed');
    expect(lines[2]).toBe('trace export failed (99 more since the last report)');
  });
});

describe('StderrDiagLogger', () => {
  test('writes one prefixed line per message, with line breaks folded', () => {
    const written: string[] = [];
    const logger = new StderrDiagLogger(line => written.push(line));
    logger.warn('first\nsecond', new Error('boom'), { code: 7 });
    expect(written).toEqual(['tracehop warn: first second Error: boom {"code":7}\n']);
  });
});

describe('StderrDiagLogger throttling', () => {
  test('repeats of one warning, digits aside, are written once per interval; info is never held back', () => {
    let now = 0;
    const written: string[] = [];
    const logger = new StderrDiagLogger(
      line => written.push(line),
      60_000,
      () => now,
    );
    for (let i = 0; i < 50; i++) logger.warn(`Received Partial Success response: ${i} spans rejected`);
    logger.warn('another message');
    logger.info('started');
    logger.info('started');
    expect(written).toEqual([
      'tracehop warn: Received Partial Success response: 0 spans rejected\n',
      'tracehop warn: another message\n',
      'tracehop info: started\n',
      'tracehop info: started\n',
    ]);
    now = 60_000;
    logger.warn('Received Partial Success response: 7 spans rejected');
    expect(written).toHaveLength(5);
  });
});

describe('quietly', () => {
  test('nothing is written while its function runs, its value is returned, and the logger writes again after it, even after a throw', () => {
    const written: string[] = [];
    const logger = new StderrDiagLogger(line => written.push(line));
    expect(
      quietly(() => {
        logger.warn('Configuration: OTEL_EXPORTER_OTLP_COMPRESSION is invalid');
        return 42;
      }),
    ).toBe(42);
    expect(() =>
      quietly(() => {
        logger.error('inside a throwing build');
        throw new Error('build failed');
      }),
    ).toThrow('build failed');
    logger.warn('after');
    expect(written).toEqual(['tracehop warn: after\n']);
  });
});
