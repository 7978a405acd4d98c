/**
 * `tracehop tree`: each request's tree of hops drawn from pino lines alone,
 * with no tracing backend. It reads `request_chain` (under its configured
 * name): the root is where the request id was born, and a hop's children are
 * the hops whose chain extends its own by one element. It hooks nothing; it
 * is a command-line tool and prints.
 */
export { parseTreeArgs, USAGE as TREE_USAGE } from './args';
export type { ParsedTreeArgs, TreeOptions } from './args';
export { formatTree, treeToJson } from './format-tree';
export type { JsonHop, JsonLine } from './format-tree';
export { buildRequestTree, compareTreesByTime } from './hop-tree';
export type { Hop, HopLines, KeptLine, RequestTree } from './hop-tree';
export { LineReader } from './line-reader';
export { parseChain, parseLogLine } from './log-line';
export type { LineResult, TreeLine } from './log-line';
export { RequestAssembler } from './request-assembler';
export { scanRequestIds } from './request-id-scan';
export { RequestLines } from './request-lines';
export { spoolToTempFile } from './spool';
export type { Spool } from './spool';
export { mergeByTime } from './time-merge';
export type { PullSource } from './time-merge';
export { runTree } from './tree-command';
export type { TreeCounts, TreeEnvironment, TreeOutput } from './tree-command';
