import { describeLoad } from '../../../src/facts/hook-observer';
import type { ModuleLoad } from '../../../src/facts/hook-observer';
import { patchPinoModule } from '../../../src/logging/pino-hook';

/** What shimmer leaves on a wrapped function, which `isWrapped` looks for. */
function wrapped(): () => void {
  const fn = () => undefined;
  return Object.assign(fn, { __wrapped: true, __original: () => undefined, __unwrap: () => undefined });
}

function namespace(exports: Record<string, unknown>): Record<string, unknown> {
  return Object.defineProperty({ ...exports }, Symbol.toStringTag, { value: 'Module' });
}

const hookedHttp = { request: wrapped(), Server: { prototype: { emit: wrapped() } } };
const plainHttp = { request: () => undefined, Server: { prototype: { emit: () => undefined } } };
const halfHttp = { request: wrapped(), Server: { prototype: { emit: () => undefined } } };
const hookedBullmq = { Queue: { prototype: { add: wrapped() } }, Worker: { prototype: { callProcessJob: wrapped() } } };
const plainBullmq = { Queue: { prototype: { add: () => undefined } }, Worker: { prototype: { callProcessJob: () => undefined } } };
const pinoFactory = Object.assign(() => ({}), { destination: () => undefined });

describe('describeLoad', () => {
  test.each<[string, string, unknown, string | undefined, ModuleLoad]>([
    ['http by require, client and server wrapped', 'http', hookedHttp, undefined, { module: 'http', via: 'require', hooked: true }],
    ['http by require, nothing wrapped', 'http', plainHttp, undefined, { module: 'http', via: 'require', hooked: false }],
    ['http with only the client wrapped is hooked (the server span comes from a diagnostics channel)', 'https', halfHttp, undefined, { module: 'https', via: 'require', hooked: true }],
    ['http by import, from its namespace', 'http', namespace(hookedHttp), undefined, { module: 'http', via: 'import', hooked: true }],
    ['pino by require, hooked', 'pino', patchPinoModule(pinoFactory), '10.4.0', { module: 'pino', version: '10.4.0', via: 'require', hooked: true }],
    ['pino by require, not hooked', 'pino', pinoFactory, '6.14.0', { module: 'pino', version: '6.14.0', via: 'require', hooked: false }],
    ['pino by import, hooked', 'pino', patchPinoModule(namespace({ default: pinoFactory, pino: pinoFactory })), '10.4.0', { module: 'pino', version: '10.4.0', via: 'import', hooked: true }],
    ['bullmq by require, its Worker hooked', 'bullmq', hookedBullmq, '5.81.5', { module: 'bullmq', version: '5.81.5', via: 'require', hooked: true }],
    ['bullmq by import, not hooked', 'bullmq', namespace(plainBullmq), '6.7.0', { module: 'bullmq', version: '6.7.0', via: 'import', hooked: false }],
    ['a module we cannot check', 'express', {}, '4.21.0', { module: 'express', version: '4.21.0', via: 'require', hooked: undefined }],
  ])('%s', (_title, module, exports, version, expected) => {
    expect(describeLoad(module, exports, version)).toEqual(expected);
  });
});
