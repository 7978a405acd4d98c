/** The PRODUCER span's attributes (messaging semantic conventions), one row per kind of send. */
import { producerAttributes } from '../../../src/jobs/semconv';

test.each([
  [
    'one message to a queue',
    'emails',
    1,
    { 'messaging.system': 'bullmq', 'messaging.destination.name': 'emails', 'messaging.operation.type': 'send', 'messaging.operation.name': 'send' },
  ],
  [
    'a bulk add to a queue: the batch count',
    'emails',
    3,
    {
      'messaging.system': 'bullmq',
      'messaging.destination.name': 'emails',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.batch.message_count': 3,
    },
  ],
  [
    'a bulk add across queues: no single destination',
    undefined,
    4,
    { 'messaging.system': 'bullmq', 'messaging.operation.type': 'send', 'messaging.operation.name': 'send', 'messaging.batch.message_count': 4 },
  ],
] as const)('%s', (_title, destination, count, expected) => {
  expect(producerAttributes('bullmq', destination, count)).toEqual(expected);
});
