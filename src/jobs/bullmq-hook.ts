/**
 * The BullMQ hook: an instrumentation that wraps, on the prototypes BullMQ
 * exports, `Queue#add`, `Queue#addBulk`, `FlowProducer#add` and
 * `FlowProducer#addBulk` (a PRODUCER span, and the carrier written into
 * each job's options) and
 * `Worker#callProcessJob` (each attempt run as a consumer, producer.ts and
 * consumer.ts). BullMQ publishes no diagnostics channel, so these methods are
 * patched; `callProcessJob` is the one call per attempt that runs the
 * processor and sees its result or error.
 *
 * The carrier goes where BullMQ's own telemetry keeps its context:
 * `opts.telemetry.metadata`, a JSON object of propagation entries (BullMQ
 * stores it with the job and gives it back to the worker). A worker or
 * producer running BullMQ's own telemetry (bullmq-otel) reads and writes the
 * same field, so traces continue across the two either way. A Queue, Worker
 * or FlowProducer made with BullMQ's `telemetry` option is left to it, so no
 * span is made twice.
 */
import { isWrapped } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { tracehopDiag } from '../diag';
import { ModuleHookInstrumentation, Replacements } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { isModuleNamespace } from '../core/module-namespace';
import { BULLMQ_WRAPPED_KEY as WRAPPED } from '../core/shared-state';
import { parseMetadata } from './carrier';
import type { JobCarrier } from './carrier';
import { consume } from './consumer';
import type { JobRuntime } from './consumer';
import { produce } from './producer';

/** BullMQ majors whose job options carry `telemetry.metadata` and whose Worker has `callProcessJob`: 5 and 6. */
export const SUPPORTED_BULLMQ_VERSIONS = ['>=5.0.0 <7'];

/** `messaging.system` for BullMQ: it is not in the conventions' list, so its package name. */
const SYSTEM = 'bullmq';

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Telemetry = { metadata?: unknown; omitContext?: unknown };
type JobOptions = { telemetry?: Telemetry; repeat?: unknown } & Record<string, unknown>;
interface QueueLike {
  name: string;
  opts?: { telemetry?: unknown };
}
interface JobLike {
  id?: unknown;
  opts?: JobOptions;
  repeatJobKey?: unknown;
  attemptsStarted?: unknown;
  attemptsMade?: unknown;
}
interface FlowNode {
  queueName?: unknown;
  opts?: JobOptions;
  children?: FlowNode[];
}
type Prototype = Record<string, unknown>;
type BullmqExports = { Queue?: { prototype: Prototype }; Worker?: { prototype: Prototype }; FlowProducer?: { prototype: Prototype } };

/**
 * `disable()` puts back BullMQ's own methods on its prototypes, so every
 * Queue, Worker and FlowProducer, those already made included, runs as
 * untraced from then on.
 */
export class BullmqHookInstrumentation extends ModuleHookInstrumentation {
  constructor(
    private readonly runtime: JobRuntime,
    config: InstrumentationConfig = {},
  ) {
    super('tracehop-bullmq-hook', config);
  }

  protected hooks(): ModuleHook[] {
    return [
      // `this.runtime` is read as bullmq loads: hooks() runs in the base constructor, before the field is set.
      {
        module: 'bullmq',
        versions: SUPPORTED_BULLMQ_VERSIONS,
        patch: (moduleExports, replacements) => patchBullmqModule(moduleExports, this.runtime, replacements),
      },
    ];
  }
}

/** Wraps the producer and consumer methods on the prototypes these `bullmq` exports hold; what it replaces is noted in `replacements`. */
export function patchBullmqModule(moduleExports: unknown, runtime: JobRuntime, replacements = new Replacements()): unknown {
  const bullmq = moduleExports as BullmqExports;
  const methods: Array<[Prototype | undefined, string, (original: Fn) => Fn]> = [
    [bullmq.Queue?.prototype, 'add', wrapAdd],
    [bullmq.Queue?.prototype, 'addBulk', wrapAddBulk],
    [bullmq.FlowProducer?.prototype, 'add', wrapFlowAdd],
    [bullmq.FlowProducer?.prototype, 'addBulk', wrapFlowAddBulk],
    [bullmq.Worker?.prototype, 'callProcessJob', original => wrapCallProcessJob(runtime, original)],
  ];
  for (const [prototype, name, wrap] of methods) {
    const original = prototype?.[name];
    if (prototype === undefined || typeof original !== 'function') {
      tracehopDiag.warn(`bullmq hook: ${name} not found on this bullmq${isModuleNamespace(moduleExports) ? ' (import)' : ''}; its jobs are not traced there`);
      continue;
    }
    // The CommonJS and ES module builds of bullmq are separate copies of its classes: each is patched once.
    if (isHooked(original)) continue;
    const wrapped = wrap(original as Fn);
    Object.defineProperty(wrapped, WRAPPED, { value: true });
    replacements.replace(prototype, name, wrapped);
  }
  return moduleExports;
}

/**
 * Whether a method is wrapped already: by a copy of tracehop (its marker),
 * or through shimmer (a tracehop before this ledger, or another
 * instrumentation), which this hook leaves the method to, as it always has.
 */
function isHooked(method: unknown): boolean {
  return typeof method === 'function' && ((method as { [WRAPPED]?: unknown })[WRAPPED] === true || isWrapped(method));
}

/** Whether these `bullmq` exports have the hooked Worker. */
export function isHookedBullmq(moduleExports: unknown): boolean {
  return isHooked((moduleExports as BullmqExports | null | undefined)?.Worker?.prototype?.callProcessJob);
}

/** `opts` with `carrier` as its telemetry metadata, unless the caller set its own or asked for none. */
export function withCarrier(opts: JobOptions | undefined, carrier: JobCarrier | undefined): JobOptions | undefined {
  if (carrier === undefined || opts?.telemetry?.omitContext === true || opts?.telemetry?.metadata !== undefined) return opts;
  return { ...opts, telemetry: { ...opts?.telemetry, metadata: JSON.stringify(carrier) } };
}

function ownTelemetry(queue: QueueLike): boolean {
  return queue.opts?.telemetry !== undefined && queue.opts.telemetry !== null;
}

/** A FlowProducer made with BullMQ's `telemetry` option keeps it on the instance. */
function flowProducerHasOwnTelemetry(producer: unknown): boolean {
  const telemetry = (producer as { telemetry?: unknown }).telemetry;
  return telemetry !== undefined && telemetry !== null;
}

function wrapAdd(original: Fn): Fn {
  return function add(this: unknown, ...args: unknown[]) {
    const queue = this as QueueLike;
    if (ownTelemetry(queue)) return original.apply(this, args);
    return produce(
      { system: SYSTEM, destination: queue.name, count: 1 },
      carrier => original.call(this, args[0], args[1], withCarrier(args[2] as JobOptions | undefined, carrier), ...args.slice(3)) as Promise<JobLike>,
      job => jobIdOf(job),
    );
  };
}

function wrapAddBulk(original: Fn): Fn {
  return function addBulk(this: unknown, ...args: unknown[]) {
    const queue = this as QueueLike;
    const jobs = args[0];
    if (ownTelemetry(queue) || !Array.isArray(jobs)) return original.apply(this, args);
    return produce(
      { system: SYSTEM, destination: queue.name, count: jobs.length },
      carrier =>
        original.call(
          this,
          jobs.map((job: { opts?: JobOptions }) => ({ ...job, opts: withCarrier(job.opts, carrier) })),
          ...args.slice(1),
        ) as Promise<JobLike[]>,
      added => (added.length === 1 ? jobIdOf(added[0]) : undefined),
    );
  };
}

function wrapFlowAdd(original: Fn): Fn {
  return function add(this: unknown, ...args: unknown[]) {
    const flow = args[0] as FlowNode | undefined;
    if (flowProducerHasOwnTelemetry(this) || !isFlowNode(flow)) return original.apply(this, args);
    return produce(
      { system: SYSTEM, destination: String(flow.queueName), count: countNodes(flow) },
      carrier => original.call(this, withCarrierInTree(flow, carrier), ...args.slice(1)) as Promise<{ job?: JobLike }>,
      added => jobIdOf(added?.job),
    );
  };
}

/** Several flows in one send: one PRODUCER span over all their jobs, named after their queue when they share one. */
function wrapFlowAddBulk(original: Fn): Fn {
  return function addBulk(this: unknown, ...args: unknown[]) {
    const flows = args[0];
    if (flowProducerHasOwnTelemetry(this) || !Array.isArray(flows) || !flows.every(isFlowNode)) return original.apply(this, args);
    const queues = new Set(flows.map(flow => String(flow.queueName)));
    return produce(
      { system: SYSTEM, destination: queues.size === 1 ? [...queues][0] : undefined, count: flows.reduce((sum, flow) => sum + countNodes(flow), 0) },
      carrier =>
        original.call(
          this,
          flows.map(flow => withCarrierInTree(flow, carrier)),
          ...args.slice(1),
        ) as Promise<Array<{ job?: JobLike }>>,
      added => (Array.isArray(added) && added.length === 1 ? jobIdOf(added[0]?.job) : undefined),
    );
  };
}

function isFlowNode(value: unknown): value is FlowNode {
  return value !== null && typeof value === 'object';
}

function wrapCallProcessJob(runtime: JobRuntime, original: Fn): Fn {
  return function callProcessJob(this: unknown, ...args: unknown[]) {
    const worker = this as QueueLike;
    const job = args[0] as JobLike | undefined;
    if (ownTelemetry(worker) || job === undefined || job === null) return original.apply(this, args);
    const recurring = (job.repeatJobKey !== undefined && job.repeatJobKey !== null) || job.opts?.repeat !== undefined;
    return consume(
      runtime,
      parseMetadata(job.opts?.telemetry?.metadata),
      {
        jobId: String(job.id),
        name: worker.name,
        system: SYSTEM,
        attempt: attemptOf(job),
        recurring,
      },
      () => original.apply(this, args),
    );
  };
}

/** The attempt being made, from 1: BullMQ (5 and 6) counts attempts started before it runs the processor. */
function attemptOf(job: JobLike): number | undefined {
  if (typeof job.attemptsStarted === 'number' && job.attemptsStarted > 0) return job.attemptsStarted;
  return typeof job.attemptsMade === 'number' ? job.attemptsMade + 1 : undefined;
}

function jobIdOf(job: JobLike | undefined): string | undefined {
  return job?.id === undefined || job.id === null ? undefined : String(job.id);
}

function countNodes(node: FlowNode): number {
  return 1 + (Array.isArray(node.children) ? node.children.reduce((sum, child) => sum + countNodes(child), 0) : 0);
}

function withCarrierInTree(node: FlowNode, carrier: JobCarrier | undefined): FlowNode {
  return {
    ...node,
    opts: withCarrier(node.opts, carrier),
    ...(Array.isArray(node.children) ? { children: node.children.map(child => withCarrierInTree(child, carrier)) } : {}),
  };
}
