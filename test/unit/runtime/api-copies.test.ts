import * as api from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TRACEHOP_API_MINOR } from '../../../src/introspection/api-copy';
import { apiCopyState } from '../../../src/introspection/api-copy-state';
import { separateCopyWarning } from '../../../src/runtime/api-copies';

const ownProvider = () => api.trace.getTracerProvider();
const foreignProvider = { getTracer: () => undefined };

describe('apiCopyState', () => {
  test.each<[string, unknown, ReturnType<typeof apiCopyState>]>([
    ["tracehop's own copy", api, 'tracehops-own'],
    ["another copy whose provider is tracehop's", { trace: { getTracerProvider: ownProvider } }, 'sees-provider'],
    ['another copy with a provider of its own', { trace: { getTracerProvider: () => foreignProvider } }, 'separate-provider'],
    ['exports that are not the API', { trace: 'no' }, undefined],
    ['no exports', undefined, undefined],
  ])('%s', (_title, moduleExports, expected) => {
    expect(apiCopyState(moduleExports)).toBe(expected);
  });

  test('an ES module namespace whose trace is only on default is read from there', () => {
    const namespace = Object.create(null, {
      [Symbol.toStringTag]: { value: 'Module' },
      default: { value: { trace: { getTracerProvider: () => foreignProvider } }, enumerable: true },
    }) as object;
    expect(apiCopyState(namespace)).toBe('separate-provider');
  });
});

describe('separateCopyWarning', () => {
  test.each<[string, string | undefined, RegExp]>([
    [
      'a known version is named',
      '1.11.0',
      /^the app loaded @opentelemetry\/api 1\.11\.0, which does not see tracehop's tracer provider .* use @opentelemetry\/api 1\.10 or older in the app$/,
    ],
    ['an unknown version is said to be unknown', undefined, /^the app loaded a copy of @opentelemetry\/api of unknown version, which/],
  ])('%s', (_title, version, expected) => {
    expect(separateCopyWarning(version)).toMatch(expected);
  });
});

test('the API minor the warning names is the one package.json depends on', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(manifest.dependencies['@opentelemetry/api']).toBe(`~${TRACEHOP_API_MINOR}.0`);
});
