import * as diagnosticsChannel from 'node:diagnostics_channel';
import { FASTIFY_INITIALIZATION_CHANNEL, FastifyRoutesInstrumentation } from '../../../src/frameworks/fastify';

/** A Fastify instance as the channel carries it: counts the hooks added. */
function publishInstance(): string[] {
  const hooks: string[] = [];
  diagnosticsChannel.channel(FASTIFY_INITIALIZATION_CHANNEL).publish({ fastify: { addHook: (name: string) => hooks.push(name) } });
  return hooks;
}

describe('FastifyRoutesInstrumentation', () => {
  const instrumentation = new FastifyRoutesInstrumentation({ enabled: false });
  afterEach(() => instrumentation.disable());

  it.each([
    ['enabled once', 1, ['onRequest']],
    ['enabled twice', 2, ['onRequest']],
    ['enabled three times', 3, ['onRequest']],
  ])('%s: one onRequest hook per Fastify instance', (_name, times, expected) => {
    for (let i = 0; i < times; i++) instrumentation.enable();
    expect(publishInstance()).toEqual(expected);
  });

  it('adds no hook once disabled', () => {
    instrumentation.enable();
    instrumentation.disable();
    expect(publishInstance()).toEqual([]);
  });
});
