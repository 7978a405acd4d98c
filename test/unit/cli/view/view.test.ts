import { DEFAULT_LOG_FIELDS } from '../../../../src/config';
import {
  buildTraceDocument,
  DEFAULT_QUIET_MS,
  formatLateLog,
  formatTrace,
  LOG_WAIT_INTERVALS,
  LogIndex,
  NO_COLOUR,
  ANSI_COLOUR,
  parseSpanLogLine,
  parseViewArgs,
  PrintedTraces,
  TraceBuffer,
  waterfall,
} from '../../../../src/cli/view';
import type { ReceivedSpan } from '../../../../src/cli/view';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(spanId: string, parent: string | undefined, startMs: number, endMs: number, extra: Partial<ReceivedSpan> = {}): ReceivedSpan {
  return {
    service: 'svc',
    traceId: TRACE,
    spanId,
    parentSpanId: parent,
    name: `op-${spanId}`,
    kind: 2,
    startTimeUnixNano: BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: BigInt(endMs) * 1_000_000n,
    attributes: {},
    links: [],
    events: [],
    statusCode: 0,
    statusMessage: '',
    traceState: '',
    flags: 1,
    scope: '',
    scopeVersion: '',
    ...extra,
  };
}
const id = (n: number): string => n.toString(16).padStart(16, '0');

describe('TraceBuffer', () => {
  test('a trace is complete once quiet for the interval; a later span keeps it pending', () => {
    const buffer = new TraceBuffer({ quietMs: 100, maxSpans: 10, maxTraces: 10 });
    buffer.add([span(id(1), undefined, 0, 1)], 0);
    buffer.add([span(id(2), id(1), 0, 1)], 80);
    expect(buffer.takeComplete(150)).toEqual([]);
    expect(buffer.takeComplete(180).map(trace => trace.spans.length)).toEqual([2]);
    expect(buffer.pendingSpans).toBe(0);
  });

  test('a log line of a pending trace keeps it waiting a quiet interval more, up to LOG_WAIT_INTERVALS after its last span', () => {
    const buffer = new TraceBuffer({ quietMs: 100, maxSpans: 10, maxTraces: 10 });
    const other = '1'.repeat(32);
    buffer.add([span(id(1), undefined, 0, 1)], 0);
    buffer.add([span(id(9), undefined, 0, 1, { traceId: other })], 50);
    expect(buffer.noteLog(TRACE, 90)).toBe(true);
    expect(buffer.noteLog('2'.repeat(32), 90)).toBe(false);
    // The logging trace is now the later one: the other completes first.
    expect(buffer.nextDue()).toBe(150);
    expect(buffer.takeComplete(150).map(trace => trace.traceId)).toEqual([other]);
    expect(buffer.takeComplete(189)).toEqual([]);
    // Lines every 90 ms keep it waiting, but not past LOG_WAIT_INTERVALS intervals after its span.
    let now = 90;
    while (now + 90 < LOG_WAIT_INTERVALS * 100) {
      now += 90;
      expect(buffer.noteLog(TRACE, now)).toBe(true);
      expect(buffer.takeComplete(now)).toEqual([]);
    }
    const lastExtension = now;
    expect(buffer.noteLog(TRACE, LOG_WAIT_INTERVALS * 100)).toBe(true);
    expect(buffer.nextDue()).toBe(lastExtension + 100);
    expect(buffer.takeComplete(lastExtension + 100).map(trace => trace.traceId)).toEqual([TRACE]);
  });

  test.each<[string, { maxSpans: number; maxTraces: number }, number[], { traces: number; spans: number }, number]>([
    ['over the trace cap: the quietest trace goes', { maxSpans: 100, maxTraces: 2 }, [1, 1, 1], { traces: 1, spans: 1 }, 2],
    ['over the span cap: whole traces go, oldest first', { maxSpans: 5, maxTraces: 100 }, [3, 3], { traces: 1, spans: 3 }, 1],
    ['one trace larger than the span cap keeps its newest spans', { maxSpans: 4, maxTraces: 100 }, [6], { traces: 0, spans: 2 }, 1],
  ])('%s', (_title, caps, sizes, evicted, pendingTraces) => {
    const buffer = new TraceBuffer({ quietMs: 100, ...caps });
    let n = 0;
    sizes.forEach((size, t) =>
      buffer.add(
        Array.from({ length: size }, () => ({ ...span(id(++n), undefined, 0, 1), traceId: String(t).padStart(32, '0') })),
        t,
      ),
    );
    expect(buffer.evicted).toEqual(evicted);
    expect(buffer.pendingTraces).toBe(pendingTraces);
    expect(buffer.pendingSpans).toBeLessThanOrEqual(caps.maxSpans);
  });

  test('ten thousand spans a second for ten seconds never hold more than the cap', () => {
    const buffer = new TraceBuffer({ quietMs: 1000, maxSpans: 5000, maxTraces: 1000 });
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      buffer.add([{ ...span(id(i + 1), undefined, 0, 1), traceId: (i >> 2).toString(16).padStart(32, '0') }], i / 10);
      if (i % 1000 === 0) buffer.takeComplete(i / 10);
      peak = Math.max(peak, buffer.pendingSpans);
    }
    expect(peak).toBeLessThanOrEqual(5000);
    expect(buffer.evicted.spans).toBeGreaterThan(0);
  });
});

describe('buildTraceDocument', () => {
  test('nests spans by parent, orders children by start, attaches logs, takes request.id from the root', () => {
    const spans = [
      span(id(3), id(1), 5, 8),
      span(id(1), undefined, 0, 10, { attributes: { 'request.id': 'req-1' } }),
      span(id(2), id(1), 1, 4, { kind: 3, statusCode: 2, statusMessage: 'refused' }),
      span(id(9), id(8), 2, 3), // parent never arrived: a root of its own
      span(id(2), id(1), 1, 4, { kind: 3, statusCode: 2, statusMessage: 'refused' }), // an exporter's retry: the same span twice
    ];
    const logs = new Map([[id(2), [{ msg: 'calling' }]]]);
    const doc = buildTraceDocument(TRACE, spans, spanId => logs.get(spanId) ?? []);
    expect(doc).toMatchObject({ traceId: TRACE, requestId: 'req-1', durationMs: 10, spanCount: 4 });
    expect(doc.roots.map(root => root.spanId)).toEqual([id(1), id(9)]);
    expect(doc.roots[0].children.map(child => [child.spanId, child.kind, child.status, child.startMs, child.durationMs, child.logs])).toEqual([
      [id(2), 'client', { code: 'error', message: 'refused' }, 1, 3, [{ msg: 'calling' }]],
      [id(3), 'server', { code: 'unset' }, 5, 3, []],
    ]);
    expect(doc.roots[1].parentSpanId).toBe(id(8));
  });
});

describe('formatTrace', () => {
  const doc = buildTraceDocument(
    TRACE,
    [
      span(id(1), undefined, 0, 10, { service: 'gateway', name: 'POST', attributes: { 'request.id': 'req-1', 'http.route': '/cards' } }),
      span(id(2), id(1), 5, 10, {
        service: 'cards',
        name: 'GET',
        kind: 3,
        statusCode: 2,
        statusMessage: 'boom',
        attributes: { 'url.full': 'http://cards/cards/1?x=1' },
      }),
    ],
    spanId => (spanId === id(2) ? [{ level: 50, time: Date.UTC(2026, 0, 1), msg: 'failed', span_id: id(2), card: '12' }] : []),
  );

  test('the request id on top, a row per span with its waterfall bar, errors marked, logs under their span', () => {
    expect(formatTrace(doc, NO_COLOUR)).toBe(
      [
        `request req-1  trace ${TRACE}  10.0 ms, 2 spans  1 error`,
        `gateway POST /cards    server     10.0 ms  [██████████████████████████████]  unset`,
        `└─ cards GET /cards/1  client     5.00 ms  [               ███████████████]  ✗ error: boom`,
        `     · 00:00:00.000 error failed  card=12`,
        '',
      ].join('\n'),
    );
  });

  test("tracehop's fields under renamed names (TRACEHOP_LOG_FIELDS) are left out of the log rows too", () => {
    const renamed = buildTraceDocument(TRACE, [span(id(1), undefined, 0, 1)], () => [{ level: 30, msg: 'hi', spanId: id(1), reqId: 'r', shown: 'yes' }]);
    const text = formatTrace(renamed, NO_COLOUR, { ...DEFAULT_LOG_FIELDS, spanId: 'spanId', requestId: 'reqId' });
    expect(text).toContain('hi  shown=yes');
    expect(text).not.toMatch(/spanId=|reqId=/);
  });

  test('escape sequences and controls an app put in a span name, a service, a status or a log line are printed as visible escapes, never sent to the terminal', () => {
    const hostile = buildTraceDocument(
      TRACE,
      [span(id(1), undefined, 0, 2, { service: 'svc\u001b]0;owned\u0007', name: 'GET \u001b[2J', statusCode: 2, statusMessage: 'bad\u001b[31m' })],
      () => [{ level: 50, msg: 'line\u001b[1A\rfake', spanId: id(1), note: '\u202eevil' }],
    );
    for (const palette of [NO_COLOUR, ANSI_COLOUR]) {
      const text = formatTrace(hostile, palette);
      // eslint-disable-next-line no-control-regex -- the test looks for the control characters themselves
      expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      expect(text).toContain('\\x1b[2J');
      expect(text).toContain('line\\x1b[1A\\x0dfake');
      expect(text).toContain('\\u202eevil');
    }
    const late = formatLateLog({ traceId: TRACE, spanId: id(1), lateLog: { level: 30, msg: '\u001b[2Jx', request_id: 'r\u0007' } }, NO_COLOUR);
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters themselves
    expect(late).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  test('no escape codes without colour, SGR codes with it', () => {
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters themselves
    expect(formatTrace(doc, NO_COLOUR)).not.toMatch(/\u001b/);
    expect(formatTrace(doc, ANSI_COLOUR)).toContain('\u001b[31m✗ error: boom\u001b[39m');
  });

  test.each<[string, number, number, number, string]>([
    ['the whole trace', 0, 10, 10, `[${'█'.repeat(30)}]`],
    ['the second half', 5, 5, 10, `[${' '.repeat(15)}${'█'.repeat(15)}]`],
    ['a zero-length span still shows one cell', 10, 0, 10, `[${' '.repeat(29)}█]`],
  ])('waterfall: %s', (_title, startMs, durationMs, traceMs, bar) => {
    expect(waterfall({ startMs, durationMs }, traceMs)).toBe(bar);
  });
});

describe('logs for view', () => {
  test.each<[string, string, string | null]>([
    ['a line with a span id', JSON.stringify({ span_id: id(7), msg: 'x' }), id(7)],
    ['a line outside any span', JSON.stringify({ msg: 'listening' }), null],
    ['a span id that is not 16 hex digits', JSON.stringify({ span_id: 'zz' }), null],
    ['not JSON', 'hello', null],
  ])('parseSpanLogLine: %s', (_title, text, expected) => {
    expect(parseSpanLogLine(text, DEFAULT_LOG_FIELDS)?.spanId ?? null).toBe(expected);
  });

  test.each<[string, Record<string, unknown>, string | undefined]>([
    ['a trace id', { span_id: id(1), trace_id: TRACE }, TRACE],
    ['none', { span_id: id(1) }, undefined],
    ['not a trace id', { span_id: id(1), trace_id: 'x' }, undefined],
  ])('parseSpanLogLine gives the trace id too: %s', (_title, record, traceId) => {
    expect(parseSpanLogLine(JSON.stringify(record), DEFAULT_LOG_FIELDS)).toMatchObject({ spanId: id(1), traceId });
  });

  test('PrintedTraces remembers the last ones printed, forgetting the oldest; one printed again counts as recent', () => {
    const printed = new PrintedTraces(2);
    printed.add('a');
    printed.add('b');
    printed.add('a');
    printed.add('c');
    expect([printed.has('a'), printed.has('b'), printed.has('c'), printed.size]).toEqual([true, false, true, 2]);
  });

  test('formatLateLog: marked late, with its request, trace and span ids, the line as under a span', () => {
    const record = {
      level: 30,
      time: Date.UTC(2026, 0, 1, 12, 0, 0, 5),
      msg: 'audit written',
      request_id: 'req-1',
      trace_id: TRACE,
      span_id: id(7),
      pid: 1,
      rows: 3,
    };
    expect(formatLateLog({ traceId: TRACE, spanId: id(7), lateLog: record }, NO_COLOUR)).toBe(
      `late log  request req-1  trace ${TRACE}  span ${id(7)}\n  · 12:00:00.005 info  audit written  rows=3\n`,
    );
  });

  test('parseSpanLogLine reads a renamed span id field', () => {
    expect(parseSpanLogLine(JSON.stringify({ spanId: id(7) }), { ...DEFAULT_LOG_FIELDS, spanId: 'spanId' })?.spanId).toBe(id(7));
  });

  test('LogIndex keeps at most its cap, dropping and counting the oldest', () => {
    const index = new LogIndex(2);
    index.add(id(1), { n: 1 });
    index.add(id(2), { n: 2 });
    index.add(id(1), { n: 3 });
    expect(index.dropped).toBe(1);
    expect(index.take(id(1))).toEqual([{ n: 3 }]);
    expect(index.take(id(2))).toEqual([{ n: 2 }]);
    expect(index.take(id(2))).toEqual([]);
  });
});

describe('parseViewArgs', () => {
  const defaults = {
    port: 4318,
    host: '127.0.0.1',
    quietMs: DEFAULT_QUIET_MS,
    logFiles: [],
    json: false,
    maxSpans: 100_000,
    maxTraces: 10_000,
    maxLogs: 100_000,
  };
  test.each<[string, string[], ReturnType<typeof parseViewArgs>]>([
    ['defaults: the OTLP/HTTP port on loopback', [], { kind: 'run', options: defaults }],
    ['--port 0 and --host', ['--port', '0', '--host=::1'], { kind: 'run', options: { ...defaults, port: 0, host: '::1' } }],
    [
      '--logs takes files up to the next option',
      ['--logs', 'a.log', 'b.log', '--json'],
      { kind: 'run', options: { ...defaults, logFiles: ['a.log', 'b.log'], json: true } },
    ],
    ['--quiet-ms', ['--quiet-ms=250'], { kind: 'run', options: { ...defaults, quietMs: 250 } }],
    ['a port out of range', ['--port', '70000'], { kind: 'error', message: '--port takes a whole number from 0 to 65535, not "70000"' }],
    [
      'a quiet interval that is not a number',
      ['--quiet-ms', 'soon'],
      { kind: 'error', message: '--quiet-ms takes a whole number from 1 to 3600000, not "soon"' },
    ],
    ['--logs with no file', ['--logs'], { kind: 'error', message: '--logs needs at least one file' }],
    ['an unknown argument', ['extra'], { kind: 'error', message: 'unknown argument extra' }],
  ])('%s', (_title, argv, expected) => {
    expect(parseViewArgs(argv)).toEqual(expected);
  });
});
