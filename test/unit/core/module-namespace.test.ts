import { isModuleNamespace } from '../../../src/core/module-namespace';

function tagged(target: object): object {
  Object.defineProperty(target, Symbol.toStringTag, { value: 'Module' });
  return target;
}

describe('isModuleNamespace', () => {
  it('is true for a namespace-shaped object (no prototype, tag Module) and a proxy over one, as import hooks hand over', () => {
    const namespace = Object.create(null, { [Symbol.toStringTag]: { value: 'Module' } }) as object;
    expect(isModuleNamespace(namespace)).toBe(true);
    expect(isModuleNamespace(new Proxy(namespace, {}))).toBe(true);
  });

  it.each<[string, unknown, boolean]>([
    ['plain CommonJS exports', { Hono: class {} }, false],
    ['CommonJS exports tagged Module by a bundler', tagged({ Hono: class {} }), false],
    ['a null-prototype object without the tag', Object.create(null) as object, false],
    ['a function (module.exports = fn)', () => undefined, false],
    ['null', null, false],
    ['undefined', undefined, false],
    ['a string', 'Module', false],
  ])('%s', (_name, value, expected) => {
    expect(isModuleNamespace(value)).toBe(expected);
  });
});
