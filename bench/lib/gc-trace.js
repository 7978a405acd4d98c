'use strict';
// A service's garbage collections as V8 reports them with --trace-gc-nvp:
// one line per collection on stdout, which the suite sends to a file (the
// service's pino lines go there too, and are skipped). The young
// generation's collections (gc=s, scavenges) say how much they found alive
// (new_space_survived: copied within the young generation plus promoted) and
// how much of it they promoted to the old generation; the full collections
// (gc=mc) are counted. V8's own figures, not the heap's size sampled around
// a collection, which also moves with concurrent sweeping and page promotion.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const NODE_ARGS = ['--trace-gc-nvp'];
const FIELDS = /(?:^|\s)(gc|allocated|promoted|new_space_survived|pause)=(\S+)/g;

/** A file for one service's stdout, and a reader of the collections written to it since the last read. */
function gcTrace(name) {
  const file = path.join(os.tmpdir(), `tracehop-bench-gc-${process.pid}-${name}.log`);
  const fd = fs.openSync(file, 'w');
  let offset = 0;
  return {
    fd,
    /** The collections logged since the previous call. */
    readSince() {
      const size = fs.fstatSync(fd).size;
      const text = readRange(file, offset, size);
      // A line still being written is read next time.
      const complete = text.lastIndexOf('\n') + 1;
      offset += Buffer.byteLength(text.slice(0, complete), 'latin1');
      return parseCollections(text.slice(0, complete));
    },
    close() {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
    },
  };
}

function readRange(file, start, end) {
  if (end <= start) return '';
  const buffer = Buffer.alloc(end - start);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    fs.closeSync(fd);
  }
  return buffer.toString('latin1');
}

/** `{ gc, allocated, promoted, survived, pauseMs }` per --trace-gc-nvp line in `text`. */
function parseCollections(text) {
  const collections = [];
  for (const line of text.split('\n')) {
    if (!line.includes(' pause=')) continue;
    const fields = {};
    for (const [, key, value] of line.matchAll(FIELDS)) fields[key] = value;
    if (fields.gc === undefined) continue;
    collections.push({
      gc: fields.gc,
      allocated: Number(fields.allocated ?? 0),
      promoted: Number(fields.promoted ?? 0),
      survived: Number(fields.new_space_survived ?? 0),
      pauseMs: Number(fields.pause ?? 0),
    });
  }
  return collections;
}

function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Figures for one load of `requests` requests, from its collections. */
function summariseCollections(collections, requests) {
  const scavenges = collections.filter(collection => collection.gc === 's');
  const thousands = requests / 1000;
  const sum = (list, field) => list.reduce((total, collection) => total + collection[field], 0);
  return {
    scavengesPerKRequests: scavenges.length / thousands,
    survivedKBPerScavenge: median(scavenges.map(collection => collection.survived)) / 1024,
    promotedKBPerScavenge: median(scavenges.map(collection => collection.promoted)) / 1024,
    promotedKBPerKRequests: sum(scavenges, 'promoted') / 1024 / thousands,
    allocatedKBPerRequest: sum(collections, 'allocated') / 1024 / requests,
    fullGCPerKRequests: collections.filter(collection => collection.gc === 'mc').length / thousands,
    gcPauseMsPerKRequests: sum(collections, 'pauseMs') / thousands,
  };
}

module.exports = { NODE_ARGS, gcTrace, parseCollections, summariseCollections };
