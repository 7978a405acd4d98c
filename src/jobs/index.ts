/**
 * Background jobs carry the request that queued them.
 *
 * Hooks BullMQ (bullmq-hook.ts): `Queue#add`, `Queue#addBulk` and
 * `FlowProducer#add` queue in a PRODUCER span and write the active context
 * into each job's `opts.telemetry.metadata`, where BullMQ's own telemetry
 * keeps it; `Worker#callProcessJob` runs each attempt in a CONSUMER span,
 * with the request's id and chain, the job's id and its parent job's id in
 * the context (log lines and outgoing calls pick them up). For any other
 * queue, `inject` and `runWithCarrier` do the same by hand.
 */
export { inject } from './carrier';
export type { JobCarrier } from './carrier';
export { BullmqHookInstrumentation, SUPPORTED_BULLMQ_VERSIONS, isHookedBullmq } from './bullmq-hook';
export type { ConsumerOptions } from './consumer-options';

export { runWithCarrier } from './run-with-carrier';
export type { RunWithCarrierOptions } from './run-with-carrier';
