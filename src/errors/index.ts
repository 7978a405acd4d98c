/**
 * Crashes tied to the request that caused them: an uncaught exception or
 * unhandled rejection is recorded on the request's root span, which is
 * ended so the exit hand-off exports it, and becomes one pino-shaped line
 * on stderr with the request's ids.
 *
 * It hooks `uncaughtExceptionMonitor` (and `unhandledRejection` only while
 * the app has a listener of its own), through register.ts, and the context
 * manager (error-context.ts) so a synchronous throw still finds its request.
 */
export { recordCrash } from './crash-record';
export { ErrorNotingContextManager } from './error-context';
export { crashLine, describeError, FATAL_LEVEL } from './crash-line';
