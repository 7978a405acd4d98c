/** True for an ES module namespace object (what `import` hooks see), false for CommonJS exports. */
export function isModuleNamespace(moduleExports: unknown): boolean {
  return (moduleExports as { [Symbol.toStringTag]?: string } | null | undefined)?.[Symbol.toStringTag] === 'Module';
}
