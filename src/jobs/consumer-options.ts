/** What a job consumer knows about the message it is about to process: its span and log fields are made from it. */
export interface ConsumerOptions {
  /** The job's or message's id, the same on every attempt: `job_id` in log lines, `messaging.message.id` on the span. */
  readonly jobId: string;
  /** The queue, topic or list it came from: the span is `process <name>`. */
  readonly name: string;
  /** `messaging.system` (`aws_sqs`, `rabbitmq`, `kafka`, `redis`...); `tracehop` when not given. */
  readonly system?: string;
  /** The attempt number, from 1, when the queue retries. */
  readonly attempt?: number;
  /** A run of a repeatable or scheduled job: a new trace and request id every time. */
  readonly recurring?: boolean;
}
