'use strict';
// What holds the objects of one kind in a heap snapshot (bench/ab.js
// --snapshot=DIR writes one per variant, mid-load): each object's chain of
// first retainers, `depth` links up, grouped (array indexes folded), with the
// count and bytes of each group. Weak links are not followed: they do not
// keep an object alive.
//
//   node bench/heap-retainers.js FILE.heapsnapshot CONSTRUCTOR [depth=4]
//   node bench/heap-retainers.js after.heapsnapshot EncodedSpan 3
const fs = require('node:fs');

function readSnapshot(file) {
  const { snapshot, nodes, edges, strings } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { node_fields: nodeFields, edge_fields: edgeFields, node_types: nodeTypes, edge_types: edgeTypes } = snapshot.meta;
  const nodeWidth = nodeFields.length;
  const edgeWidth = edgeFields.length;
  const field = {
    type: nodeFields.indexOf('type'),
    name: nodeFields.indexOf('name'),
    size: nodeFields.indexOf('self_size'),
    edgeCount: nodeFields.indexOf('edge_count'),
    edgeType: edgeFields.indexOf('type'),
    edgeName: edgeFields.indexOf('name_or_index'),
    edgeTo: edgeFields.indexOf('to_node'),
  };
  const count = nodes.length / nodeWidth;
  // The first retainer of each node, and the edge it holds it by.
  const retainer = new Int32Array(count).fill(-1);
  const retainingEdge = new Int32Array(count).fill(-1);
  let edge = 0;
  for (let node = 0; node < count; node++) {
    const end = edge + nodes[node * nodeWidth + field.edgeCount] * edgeWidth;
    for (; edge < end; edge += edgeWidth) {
      if (edgeTypes[0][edges[edge + field.edgeType]] === 'weak') continue;
      const to = edges[edge + field.edgeTo] / nodeWidth;
      if (retainer[to] === -1) {
        retainer[to] = node;
        retainingEdge[to] = edge;
      }
    }
  }
  const type = node => nodeTypes[0][nodes[node * nodeWidth + field.type]];
  const name = node => strings[nodes[node * nodeWidth + field.name]];
  const edgeLabel = e => {
    const kind = edgeTypes[0][edges[e + field.edgeType]];
    return kind === 'element' || kind === 'hidden' ? '[i]' : strings[edges[e + field.edgeName]];
  };
  return {
    count,
    type,
    name,
    size: node => nodes[node * nodeWidth + field.size],
    /** `node`'s chain of first retainers, `depth` links up. */
    chain(node, depth) {
      const links = [];
      for (let current = node; links.length < depth && retainer[current] !== -1; current = retainer[current]) {
        const holder = retainer[current];
        links.push(`${type(holder)}:${name(holder).slice(0, 40)}.${edgeLabel(retainingEdge[current])}`);
      }
      return links.join(' <- ');
    },
  };
}

function main() {
  const [file, constructorName, depthArg = '4'] = process.argv.slice(2);
  if (file === undefined || constructorName === undefined) throw new Error('usage: node bench/heap-retainers.js FILE.heapsnapshot CONSTRUCTOR [depth]');
  const heap = readSnapshot(file);
  const groups = new Map();
  for (let node = 0; node < heap.count; node++) {
    if (heap.type(node) !== 'object' || heap.name(node) !== constructorName) continue;
    const chain = heap.chain(node, Number(depthArg));
    const group = groups.get(chain) ?? { objects: 0, bytes: 0 };
    group.objects++;
    group.bytes += heap.size(node);
    groups.set(chain, group);
  }
  const sorted = [...groups].sort((a, b) => b[1].objects - a[1].objects);
  const total = sorted.reduce((sum, [, group]) => sum + group.objects, 0);
  process.stdout.write(`${total} ${constructorName} objects in ${file}\n`);
  for (const [chain, group] of sorted) process.stdout.write(`${group.objects}\t${group.bytes} B\t${chain}\n`);
}

main();
