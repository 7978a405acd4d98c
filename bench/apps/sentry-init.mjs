// The Sentry peer's preload (bench/lib/peers.js): Sentry's Node SDK has no
// preload that starts it, so this is the instrument file its documentation
// asks for, given to node with --import (Sentry 11 warns that --require is
// no longer supported). It loads @sentry/node from the peer's own folder
// (BENCH_SENTRY_ENTRY, set by peers.js), never the project's, and starts it
// with tracing on: the DSN (the suite's sink) and the sample rate, 1, come
// from SENTRY_DSN and SENTRY_TRACES_SAMPLE_RATE, which Sentry reads itself.
const Sentry = await import(process.env.BENCH_SENTRY_ENTRY);
Sentry.init({});
