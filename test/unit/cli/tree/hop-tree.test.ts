import { DEFAULT_LOG_FIELDS } from '../../../../src/config';
import { buildRequestTree, formatTree, parseLogLine, parseTreeArgs, RequestAssembler, treeToJson } from '../../../../src/cli/tree';
import type { JsonHop, LineResult, TreeLine } from '../../../../src/cli/tree';

const ID = '0dadb33f-ee15-470a-bfc8-5e35926793a5';
let seq = 0;

function line(record: Record<string, unknown>, fallback = 'file'): TreeLine {
  const result = parseLogLine(JSON.stringify(record), DEFAULT_LOG_FIELDS, fallback, seq++);
  if (result.kind !== 'line') throw new Error(`not a line: ${result.kind}`);
  return result.line;
}

/** The tree's shape as `service:hop [msgs] (children)`, for compact assertions. */
function shape(hop: JsonHop): unknown {
  return { chain: hop.chain, service: hop.service, msgs: hop.lines.map(l => l.msg), children: hop.children.map(shape) };
}

/** The one request's tree, through both passes: its lines counted, then handed over; the tree comes with the last. */
function treeOf(lines: TreeLine[]): JsonHop {
  const assembler = new RequestAssembler();
  for (const l of lines) assembler.count(l.requestId);
  const trees = lines.map(l => assembler.add(l));
  expect(trees.slice(0, -1).every(tree => tree === undefined)).toBe(true);
  expect(assembler.unfinished()).toEqual([]);
  const tree = trees[trees.length - 1];
  if (tree === undefined) throw new Error('no tree with the last line');
  return treeToJson(tree).root;
}

describe('parseLogLine', () => {
  test.each<[string, string, Partial<TreeLine> | LineResult['kind']]>([
    [
      'a pino line with a chain',
      JSON.stringify({ request_id: ID, request_chain: `${ID},aa`, time: 5, level: 30, msg: 'hi', name: 'cards', method: 'GET', path: '/x' }),
      { requestId: ID, chain: [ID, 'aa'], service: 'cards', time: 5, level: 30, msg: 'hi', method: 'GET', path: '/x' },
    ],
    ['service wins over name', JSON.stringify({ request_id: ID, service: 'svc', name: 'logger' }), { service: 'svc' }],
    ['no service or name: the file name', JSON.stringify({ request_id: ID }), { service: 'file', chain: [ID] }],
    ['request id from the chain when the field is missing', JSON.stringify({ request_chain: `${ID},bb` }), { requestId: ID, chain: [ID, 'bb'] }],
    ['a chain rooted elsewhere is not trusted', JSON.stringify({ request_id: ID, request_chain: 'other,bb' }), { chain: [ID] }],
    ['an ISO time', JSON.stringify({ request_id: ID, time: '2026-01-01T00:00:00.005Z' }), { time: Date.parse('2026-01-01T00:00:00.005Z') }],
    ['pino-http req fields', JSON.stringify({ request_id: ID, req: { method: 'POST', url: '/y' } }), { method: 'POST', path: '/y' }],
    ['a prefix before the JSON (docker, kubectl)', `cards | ${JSON.stringify({ request_id: ID })}`, { requestId: ID }],
    ['not JSON', 'Server listening on 3000', 'not-json'],
    ['broken JSON', '{"request_id": ', 'not-json'],
    ['a JSON array', `[${JSON.stringify({ request_id: ID })}]`, 'not-json'],
    ['no request id', JSON.stringify({ msg: 'listening', level: 30 }), 'no-request-id'],
    ['an empty request id', JSON.stringify({ request_id: '' }), 'no-request-id'],
  ])('%s', (_title, text, expected) => {
    const result = parseLogLine(text, DEFAULT_LOG_FIELDS, 'file', 0);
    if (typeof expected === 'string') expect(result.kind).toBe(expected);
    else expect(result).toEqual({ kind: 'line', line: expect.objectContaining(expected) });
  });

  test('renamed fields are read under their configured names', () => {
    const fields = { ...DEFAULT_LOG_FIELDS, requestId: 'reqId', requestChain: 'reqChain' };
    const result = parseLogLine(JSON.stringify({ reqId: ID, reqChain: `${ID},cc`, request_id: 'ignored' }), fields, 'f', 0);
    expect(result).toEqual({ kind: 'line', line: expect.objectContaining({ requestId: ID, chain: [ID, 'cc'] }) });
  });
});

describe('buildRequestTree', () => {
  test('the chain of the lost-and-stolen request, lines shuffled: one root, four hops beneath it in time order', () => {
    const lines = [
      line({ request_id: ID, request_chain: `${ID},d2`, name: 'accounts', time: 40, msg: 'replacement ordered' }),
      line({ request_id: ID, request_chain: ID, name: 'gateway', time: 50, msg: 'reported' }),
      line({ request_id: ID, request_chain: `${ID},a1`, name: 'cards', time: 10, msg: 'received', method: 'GET', path: '/cards/1/' }),
      line({ request_id: ID, request_chain: `${ID},c1`, name: 'cards', time: 31, msg: 'cancelled' }),
      line({ request_id: ID, request_chain: ID, name: 'gateway', time: 1, msg: 'received', method: 'POST', path: '/cards/lost/' }),
      line({ request_id: ID, request_chain: `${ID},b1`, name: 'accounts', time: 20, msg: 'received' }),
      line({ request_id: ID, request_chain: `${ID},c1`, name: 'cards', time: 30, msg: 'received' }),
      line({ request_id: ID, request_chain: `${ID},d2`, name: 'accounts', time: 39, msg: 'received' }),
    ];
    const root = treeOf(lines);
    expect(shape(root)).toEqual({
      chain: ID,
      service: 'gateway',
      msgs: ['received', 'reported'],
      children: [
        { chain: `${ID},a1`, service: 'cards', msgs: ['received'], children: [] },
        { chain: `${ID},b1`, service: 'accounts', msgs: ['received'], children: [] },
        { chain: `${ID},c1`, service: 'cards', msgs: ['received', 'cancelled'], children: [] },
        { chain: `${ID},d2`, service: 'accounts', msgs: ['received', 'replacement ordered'], children: [] },
      ],
    });
    expect(root).toMatchObject({ method: 'POST', path: '/cards/lost/' });
  });

  test('a request through a job: the job is one more chain element, its worker a child of the hop that queued it', () => {
    const root = treeOf([
      line({ request_id: ID, request_chain: `${ID},api1,job7`, name: 'worker', time: 30, msg: 'job done' }),
      line({ request_id: ID, request_chain: `${ID},api1,job7,mail3`, name: 'mailer', time: 35, msg: 'sent' }),
      line({ request_id: ID, request_chain: ID, name: 'gateway', time: 1, msg: 'received' }),
      line({ request_id: ID, request_chain: `${ID},api1`, name: 'api', time: 10, msg: 'job queued' }),
    ]);
    expect(shape(root)).toEqual({
      chain: ID,
      service: 'gateway',
      msgs: ['received'],
      children: [
        {
          chain: `${ID},api1`,
          service: 'api',
          msgs: ['job queued'],
          children: [
            {
              chain: `${ID},api1,job7`,
              service: 'worker',
              msgs: ['job done'],
              children: [{ chain: `${ID},api1,job7,mail3`, service: 'mailer', msgs: ['sent'], children: [] }],
            },
          ],
        },
      ],
    });
  });

  test('an id that came in from a client (no line with the id alone) gets an empty root', () => {
    const root = treeOf([
      line({ request_id: ID, request_chain: `${ID},g1,c1`, name: 'cards', time: 5, msg: 'c' }),
      line({ request_id: ID, request_chain: `${ID},g1`, name: 'gateway', time: 1, msg: 'g' }),
    ]);
    expect(shape(root)).toEqual({
      chain: ID,
      service: null,
      msgs: [],
      children: [{ chain: `${ID},g1`, service: 'gateway', msgs: ['g'], children: [{ chain: `${ID},g1,c1`, service: 'cards', msgs: ['c'], children: [] }] }],
    });
  });

  test('a hop whose parent logged nothing goes under the nearest ancestor that did', () => {
    const root = treeOf([
      line({ request_id: ID, request_chain: ID, name: 'gateway', time: 1 }),
      line({ request_id: ID, request_chain: `${ID},silent,leaf`, name: 'leaf', time: 2 }),
    ]);
    expect(root.children.map(child => child.chain)).toEqual([`${ID},silent,leaf`]);
  });

  test('a chain cut short in the middle still finds its parent by the hop before its last', () => {
    const hops = Array.from({ length: 12 }, (_, i) => `h${i}`);
    // tracehop keeps the root and the 9 most recent hops.
    const chainOf = (n: number): string => [ID, ...hops.slice(0, n).slice(-9)].join(',');
    const lines = [line({ request_id: ID, request_chain: ID, time: 0 })];
    for (let n = 1; n <= 12; n++) lines.push(line({ request_id: ID, request_chain: chainOf(n), time: n }));
    let hop = treeOf(lines);
    let depth = 0;
    while (hop.children.length > 0) {
      expect(hop.children).toHaveLength(1);
      hop = hop.children[0];
      depth++;
    }
    expect(depth).toBe(12);
    expect(hop.chain).toBe(chainOf(12));
  });
});

describe('formatTree', () => {
  test('draws the request id, each hop with its service, route and hop id, and its lines in time order', () => {
    const tree = buildRequestTree(ID, [
      {
        chain: [ID],
        lines: [
          line({
            request_id: ID,
            request_chain: ID,
            name: 'gateway',
            time: Date.UTC(2026, 0, 1, 12, 0, 0, 1),
            level: 30,
            msg: 'request received',
            method: 'POST',
            path: '/cards/lost_and_stolen/',
          }),
        ],
      },
      {
        chain: [ID, '6a4a79119593c728'],
        lines: [
          line({
            request_id: ID,
            request_chain: `${ID},6a4a79119593c728`,
            name: 'cards',
            time: Date.UTC(2026, 0, 1, 12, 0, 0, 9),
            level: 50,
            msg: 'card cancelled',
          }),
        ],
      },
    ]);
    expect(formatTree(tree)).toBe(
      [
        `request ${ID}`,
        '└─ gateway  POST /cards/lost_and_stolen/',
        '   │  12:00:00.001  info   request received',
        '   └─ cards  (6a4a79119593c728)',
        '         12:00:00.009  error  card cancelled',
        '',
      ].join('\n'),
    );
  });
});

describe('formatTree with hostile text', () => {
  test('escape sequences and controls in a service, a route or a message are printed as visible escapes', () => {
    const tree = buildRequestTree(ID, [
      {
        chain: [ID],
        lines: [
          line({
            request_id: ID,
            request_chain: ID,
            name: 'gate\u001b[2Jway',
            time: Date.UTC(2026, 0, 1, 12, 0, 0, 1),
            level: 30,
            msg: 'hi\u001b]0;owned\u0007',
            path: '/x\u202e',
          }),
        ],
      },
    ]);
    const text = formatTree(tree);
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters themselves
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain('gate\\x1b[2Jway  /x\\u202e');
    expect(text).toContain('hi\\x1b]0;owned\\x07');
  });
});

describe('parseTreeArgs', () => {
  test.each<[string, string[], ReturnType<typeof parseTreeArgs>]>([
    ['no arguments: stdin', [], { kind: 'run', options: { files: [], request: undefined, json: false } }],
    [
      'files and options',
      ['a.log', '--json', '--request', 'abc', 'b.log'],
      { kind: 'run', options: { files: ['a.log', 'b.log'], request: 'abc', json: true } },
    ],
    ['--request=id', ['--request=abc'], { kind: 'run', options: { files: [], request: 'abc', json: false } }],
    ['- names stdin', ['-'], { kind: 'run', options: { files: ['-'], request: undefined, json: false } }],
    ['--help', ['--help'], { kind: 'help' }],
    ['--request without an id', ['--request'], { kind: 'error', message: '--request needs a request id' }],
    ['an unknown option', ['--colour'], { kind: 'error', message: 'unknown option --colour' }],
  ])('%s', (_title, argv, expected) => {
    expect(parseTreeArgs(argv)).toEqual(expected);
  });
});
