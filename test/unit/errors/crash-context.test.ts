/**
 * The request a synchronous throw escaped from is active again for what
 * runs next in the same unwinding (the app's `uncaughtException`
 * listeners), and only when no request is active already.
 */
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { RequestCorrelation, getCorrelation, setCorrelation } from '../../../src/core/correlation';
import { reenterEscapedRequest } from '../../../src/errors/crash-context';
import { ErrorNotingContextManager } from '../../../src/errors/error-context';

beforeAll(() => {
  context.setGlobalContextManager(new ErrorNotingContextManager().enable());
});
afterAll(() => context.disable());

const requestContext = (id: string) => setCorrelation(ROOT_CONTEXT, new RequestCorrelation(id, null));

/** Throws out of `context.with(escaped)`, catches the error outside it, and returns what is active after `reenterEscapedRequest`. */
function afterEscape(escaped: Context, outside: Context = ROOT_CONTEXT): string | undefined {
  return context.with(outside, () => {
    try {
      context.with(escaped, () => {
        throw new Error('thrown in the handler');
      });
    } catch (error) {
      reenterEscapedRequest(error);
    }
    return getCorrelation(context.active())?.requestId;
  });
}

test('after a synchronous throw out of a request, that request is active again', () => {
  expect(afterEscape(requestContext('req-1'))).toBe('req-1');
});

test('a request already active stays the active one', () => {
  expect(afterEscape(requestContext('req-1'), requestContext('req-2'))).toBe('req-2');
});

test('a throw out of a context that is no request changes nothing', () => {
  expect(afterEscape(ROOT_CONTEXT.setValue(Symbol('other'), 1))).toBeUndefined();
});

test('an escape is forgotten at the next microtask, as for an error the app caught', async () => {
  let caught: unknown;
  try {
    context.with(requestContext('req-1'), () => {
      throw new Error('caught by the app');
    });
  } catch (error) {
    caught = error;
  }
  await Promise.resolve();
  context.with(ROOT_CONTEXT, () => {
    reenterEscapedRequest(caught);
    expect(getCorrelation(context.active())).toBeUndefined();
  });
});
