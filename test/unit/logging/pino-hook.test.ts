import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_LOG_FIELDS } from '../../../src/config';
import { tracehopMixin } from '../../../src/logging/mixin';
import { isHookedPino, patchPinoModule } from '../../../src/logging/pino-hook';
import { Replacements } from '../../../src/core/module-hook';
import { RequestCorrelation, setCorrelation } from '../../../src/core/correlation';
import { defaultLogLineSettings, publishTestRuntime, withdrawRuntime } from '../../support/runtime';

const pino = patchPinoModule(require('pino'), defaultLogLineSettings()) as typeof import('pino').default;

const TRACE_ID = '0dadb33fee15470abfc85e35926793a5';
const SPAN_ID = 'ac0eabbd00000001';
const CORRELATED = {
  trace_id: TRACE_ID,
  span_id: SPAN_ID,
  trace_flags: '01',
  request_id: '0dadb33f-ee15-470a-bfc8-5e35926793a5',
  request_chain: '0dadb33f-ee15-470a-bfc8-5e35926793a5,ac0eabbd00000001',
};

function lines() {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  return { records, stream };
}

function inRequest<T>(fn: () => T, spanId = SPAN_ID): T {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId, traceFlags: 1 });
  const correlation = new RequestCorrelation('0dadb33f-ee15-470a-bfc8-5e35926793a5', ['0dadb33f-ee15-470a-bfc8-5e35926793a5']);
  correlation.enterHop(SPAN_ID);
  return context.with(setCorrelation(trace.setSpan(ROOT_CONTEXT, span), correlation), fn);
}

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => context.setGlobalContextManager(manager.enable()));
afterAll(() => context.disable());
afterEach(() => withdrawRuntime());

describe('the pino hook', () => {
  test('pino(destination) records carry the five fields inside a request', () => {
    const { records, stream } = lines();
    const logger = pino(stream);
    inRequest(() => logger.info({ card: '1234' }, 'looked up'));
    expect(records[0]).toMatchObject({ ...CORRELATED, card: '1234', msg: 'looked up' });
  });

  test('pino(options, destination) keeps the options', () => {
    const { records, stream } = lines();
    const logger = pino({ level: 'debug', base: { app: 'cards' } }, stream);
    inRequest(() => logger.debug('detail'));
    expect(records[0]).toMatchObject({ ...CORRELATED, app: 'cards', level: 20 });
  });

  test('records written outside any request carry none of the fields', () => {
    const { records, stream } = lines();
    const logger = pino(stream);
    logger.info('starting');
    expect(Object.keys(records[0])).toEqual(expect.not.arrayContaining(Object.keys(CORRELATED)));
  });

  test('a logger made before the first request still correlates, and child loggers inherit the hook', () => {
    const { records, stream } = lines();
    const logger = pino(stream);
    const child = logger.child({ component: 'db' });
    inRequest(() => child.info('query'));
    expect(records[0]).toMatchObject({ ...CORRELATED, component: 'db' });
  });

  test('a user mixin keeps working and its fields are kept', () => {
    const { records, stream } = lines();
    const logger = pino({ mixin: () => ({ region: 'eu', request_id: 'from-user' }) }, stream);
    inRequest(() => logger.info('x'));
    expect(records[0]).toMatchObject({ ...CORRELATED, region: 'eu', request_id: 'from-user' });
  });

  test('a log call fields never leak into the next call', () => {
    const { records, stream } = lines();
    const logger = pino(stream);
    inRequest(() => {
      logger.info({ secret: 'only-here' }, 'first');
      logger.info('second');
    });
    expect(records[1]).not.toHaveProperty('secret');
  });

  test('span_id follows the active span while the request fields stay', () => {
    const { records, stream } = lines();
    const logger = pino(stream);
    inRequest(() => logger.info('in a client span'), 'f2aab75e00000002');
    expect(records[0]).toMatchObject({ ...CORRELATED, span_id: 'f2aab75e00000002' });
  });

  test('a span without a request correlation gives only the span fields', () => {
    const { records, stream } = lines();
    const logger = pino(stream);
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 });
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => logger.info('background job'));
    expect(records[0]).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '00' });
    expect(records[0]).not.toHaveProperty('request_id');
  });

  test('pino.destination files get the fields, and the helpers are still there', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-')), 'app.log');
    const destination = pino.destination({ dest: file, sync: true });
    const logger = pino(destination);
    inRequest(() => logger.info('to a file'));
    destination.flushSync();
    expect(JSON.parse(fs.readFileSync(file, 'utf8').trim())).toMatchObject(CORRELATED);
    expect(typeof pino.stdSerializers.err).toBe('function');
    expect(pino.pino).toBe(pino);
  });

  test('configured field names are used', () => {
    const renamed = patchPinoModule(
      require('pino'),
      defaultLogLineSettings({ ...DEFAULT_LOG_FIELDS, traceId: 'traceId', requestChain: 'chain' }),
    ) as typeof pino;
    const { records, stream } = lines();
    const logger = renamed(stream);
    inRequest(() => logger.info('renamed'));
    expect(records[0]).toMatchObject({ traceId: TRACE_ID, chain: CORRELATED.request_chain, request_id: CORRELATED.request_id });
    expect(records[0]).not.toHaveProperty('trace_id');
  });

  test('a logger built with the exported mixin is not wrapped twice', () => {
    const { records, stream } = lines();
    const logger = pino({ mixin: tracehopMixin }, stream);
    inRequest(() => logger.info('manual'));
    expect(records[0]).toMatchObject(CORRELATED);
  });

  test('the exported mixin uses the field names of the running tracehop, published by the preload', () => {
    publishTestRuntime({ logFields: { ...DEFAULT_LOG_FIELDS, requestId: 'requestId' } });
    const fields = inRequest(() => tracehopMixin());
    expect(fields).toMatchObject({ trace_id: TRACE_ID, requestId: CORRELATED.request_id });
    expect(fields).not.toHaveProperty('request_id');
  });

  test('with no tracehop running, the exported mixin uses the default field names', () => {
    expect(inRequest(() => tracehopMixin())).toMatchObject(CORRELATED);
  });

  test('patching twice returns the patched module unchanged', () => {
    expect(patchPinoModule(pino, defaultLogLineSettings())).toBe(pino);
  });

  test.each<[string, () => unknown, boolean]>([
    ['pino itself', () => require('pino'), false],
    ['the wrapper in force', () => pino, true],
    [
      'a wrapper restored by disable(), which passes calls through',
      () => {
        const replacements = new Replacements();
        const wrapper = patchPinoModule(require('pino'), defaultLogLineSettings(), replacements);
        replacements.restore();
        return wrapper;
      },
      false,
    ],
    ['a namespace whose default is the wrapper', () => Object.create(null, { [Symbol.toStringTag]: { value: 'Module' }, default: { value: pino } }), true],
    ['not a module', () => undefined, false],
  ])('isHookedPino: %s', (_name, exports, expected) => {
    expect(isHookedPino(exports())).toBe(expected);
  });
});
