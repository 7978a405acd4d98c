/**
 * True for an ES module namespace object (what `import` hooks see), false for
 * CommonJS exports. A namespace has no prototype and the tag `Module`; a
 * CommonJS build may set the tag on its `exports` too (some bundlers do), but
 * that object still inherits from `Object.prototype`.
 */
export function isModuleNamespace(moduleExports: unknown): boolean {
  if (moduleExports === null || typeof moduleExports !== 'object') return false;
  return Object.getPrototypeOf(moduleExports) === null && (moduleExports as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';
}
