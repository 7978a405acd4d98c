/**
 * Crashes tied to the request that caused them: an uncaught exception or
 * unhandled rejection is recorded on the request's root span. When it takes
 * the process down, the span is ended so the exit hand-off exports it, and
 * the crash becomes one pino-shaped line on stderr with the request's ids;
 * when the app survives it (a handler of its own), the span is left for its
 * request to end and no line is written.
 *
 * It hooks `uncaughtExceptionMonitor` (and `unhandledRejection` only while
 * the app has a listener of its own), through register.ts, and the context
 * manager (error-context.ts) so a synchronous throw still finds its request,
 * which is then active again for the app's `uncaughtException` listeners
 * (crash-context.ts).
 */
export { recordCrash } from './crash-record';
export { reenterEscapedRequest } from './crash-context';
export { ErrorNotingContextManager } from './error-context';
export { crashLine, describeError, FATAL_LEVEL } from './crash-line';
