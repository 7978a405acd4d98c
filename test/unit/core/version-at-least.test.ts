import { versionAtLeast } from '../../../src/core/version-at-least';

describe('versionAtLeast', () => {
  test.each<[unknown, [number, number], boolean]>([
    ['22.17.0', [22, 17], true],
    ['22.16.9', [22, 17], false],
    ['22.23.5', [22, 17], true],
    ['24.0.0', [22, 17], true],
    ['20.20.2', [22, 17], false],
    ['v22.17.0', [22, 17], true],
    ['9.6.0', [9, 6], true],
    ['9.5.0', [9, 6], false],
    ['10.0.0', [9, 6], true],
    ['9.6.0-rc.1', [9, 6], true],
    ['3.6', [3, 6], true],
    ['3', [3, 6], false],
    ['x.y.z', [1, 0], false],
    ['', [0, 0], false],
    [undefined, [0, 0], false],
    [96, [9, 6], false],
  ])('%p at least %p: %p', (version, since, expected) => {
    expect(versionAtLeast(version, since)).toBe(expected);
  });
});
