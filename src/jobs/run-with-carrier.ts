/**
 * The public consumer entry point for queues tracehop does not hook: the
 * carrier is whatever object the message brought, cleaned to string entries.
 */
import { sharedRuntime } from '../core/shared-state';
import type { JobCarrier } from './carrier';
import { consume } from './consumer';
import type { ConsumerOptions } from './consumer-options';

/** Options of {@link runWithCarrier}: at least the message's id and where it came from. */
export type RunWithCarrierOptions = ConsumerOptions;

/**
 * Runs `fn` as the consumer of one message from any queue, as a BullMQ job
 * runs: in a CONSUMER span `process <name>` that continues (or, with
 * TRACEHOP_JOB_TRACE=link, links to) the trace whose context `carrier`
 * holds, with `request_id`, `request_chain` (plus this message's hop),
 * `job_id` and `parent_job_id` in every log line written while it runs, and
 * propagation from the calls it makes. A throw or rejection is recorded on
 * the span, with status ERROR, and passed on unchanged. With tracehop off it
 * runs `fn` plainly. It uses the running tracehop (the preload's), whichever
 * copy of tracehop it was imported from.
 *
 * @param carrier the entries {@link inject} wrote on the producer side; an
 *   empty or missing carrier starts a new trace and request id
 * @param fn the message handler; its return value (or promise) is returned
 * @param options `jobId` (the message id) and `name` (the queue), optionally `system`, `attempt`, `recurring`
 */
export function runWithCarrier<T>(carrier: Readonly<Record<string, unknown>> | undefined, fn: () => T, options: RunWithCarrierOptions): T {
  const runtime = sharedRuntime();
  return runtime === undefined ? fn() : consume(runtime, stringEntries(carrier), options, fn);
}

function stringEntries(carrier: Readonly<Record<string, unknown>> | undefined): JobCarrier | undefined {
  if (carrier === undefined || carrier === null || typeof carrier !== 'object') return undefined;
  const entries: JobCarrier = {};
  for (const [key, value] of Object.entries(carrier)) if (typeof value === 'string') entries[key] = value;
  return entries;
}
