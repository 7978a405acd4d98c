/**
 * Span names and attributes for jobs, from the OpenTelemetry semantic
 * conventions for messaging (messaging spans, v1.27+): a PRODUCER span
 * `send <destination>` where a message is queued, a CONSUMER span
 * `process <destination>` for each attempt to process it. The conventions
 * have no attribute for a retry's attempt number or for the job that queued
 * a job: those two are ours, under `tracehop.`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ConsumerOptions } from './consumer-options';

export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';

/** The attempt number, from 1: every retry is its own span. */
export const JOB_ATTEMPT_ATTRIBUTE = 'tracehop.job.attempt';
/** The id of the job whose processor queued this one. */
export const PARENT_JOB_ID_ATTRIBUTE = 'tracehop.job.parent_id';

/** `messaging.system` for a carrier whose consumer did not name one. */
export const DEFAULT_MESSAGING_SYSTEM = 'tracehop';

/** A send to no single destination (a bulk add across queues) has no `messaging.destination.name`. */
export function producerAttributes(system: string, destination: string | undefined, count: number): Attributes {
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: system,
    [MESSAGING_OPERATION_TYPE]: 'send',
    [MESSAGING_OPERATION_NAME]: 'send',
  };
  if (destination !== undefined) attributes[MESSAGING_DESTINATION_NAME] = destination;
  if (count > 1) attributes[MESSAGING_BATCH_MESSAGE_COUNT] = count;
  return attributes;
}

export function consumerAttributes(options: ConsumerOptions): Attributes {
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: options.system ?? DEFAULT_MESSAGING_SYSTEM,
    [MESSAGING_DESTINATION_NAME]: options.name,
    [MESSAGING_MESSAGE_ID]: options.jobId,
    [MESSAGING_OPERATION_TYPE]: 'process',
    [MESSAGING_OPERATION_NAME]: 'process',
  };
  if (options.attempt !== undefined) attributes[JOB_ATTEMPT_ATTRIBUTE] = options.attempt;
  return attributes;
}
