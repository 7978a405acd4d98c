import { MAX_CHAIN_HOPS, extendChain } from '../../../../src/core/ids/chain';

const hop = (n: number) => `hop${String(n).padStart(13, '0')}`;
const hops = (count: number) => Array.from({ length: count }, (_, i) => hop(i + 1));

describe('extendChain', () => {
  const table: Array<[string, string[], string]> = [
    ['appends a hop to a bare root', ['root'], `root,${hop(99)}`],
    ['appends a hop to a chain of two', ['root', hop(1)], `root,${hop(1)},${hop(99)}`],
    ['keeps every hop up to the bound', ['root', ...hops(MAX_CHAIN_HOPS - 1)], ['root', ...hops(MAX_CHAIN_HOPS - 1), hop(99)].join(',')],
    ['drops the oldest hop at the bound', ['root', ...hops(MAX_CHAIN_HOPS)], ['root', ...hops(MAX_CHAIN_HOPS).slice(1), hop(99)].join(',')],
    ['keeps the root and the most recent hops of a long chain', ['root', ...hops(50)], ['root', ...hops(50).slice(-(MAX_CHAIN_HOPS - 1)), hop(99)].join(',')],
  ];
  test.each(table)('%s', (_title, incoming, expected) => {
    expect(extendChain(incoming, hop(99))).toBe(expected);
  });

  test.each([1, 5, MAX_CHAIN_HOPS, MAX_CHAIN_HOPS + 1, 200])('a chain of %i hops leaves with at most the root and %s hops', count => {
    const out = extendChain(['root', ...hops(count)], hop(99)).split(',');
    expect(out[0]).toBe('root');
    expect(out.length).toBeLessThanOrEqual(MAX_CHAIN_HOPS + 1);
    expect(out[out.length - 1]).toBe(hop(99));
  });
});
