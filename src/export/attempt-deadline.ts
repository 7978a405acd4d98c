/**
 * A deadline on each whole export attempt, not just on the socket's idle time.
 *
 * The OTLP exporter bounds an attempt with `request.setTimeout`, an idle
 * timer that every byte resets: a collector (or a proxy in front of one)
 * that answers 200 and then drips its body a byte at a time keeps the attempt
 * in flight for ever, holding one of the exporter's concurrent-export slots,
 * until every slot is taken and every export fails. The agent made here
 * destroys a request once the attempt's budget has passed since it started:
 * the budget the exporter gives the attempt (what remains of the batch's
 * deadline, passed to `setTimeout`), or the whole export timeout, whichever
 * is shorter. The exporter sees a network error, gives up once its deadline
 * has passed, and the failure is reported like any other.
 */
import type { Agent, ClientRequest } from 'node:http';
import type { TlsOptions } from './tls-files';

/** What the exporter's `httpAgentOptions` accepts as a factory. */
export type AgentFactory = (protocol: string) => Agent;

interface AgentWithAddRequest {
  addRequest(request: ClientRequest, options: unknown): void;
}

/**
 * An agent factory for the OTLP exporter.
 * @param timeout the export timeout and the variable it came from, for the error message
 * @param tls the certificate authority and client certificate the settings name (tls-files.ts):
 *   a factory of ours replaces the exporter's own, which would have applied them
 */
export function deadlineAgentFactory(timeout: { readonly millis: number; readonly variable: string }, tls: () => TlsOptions = () => ({})): AgentFactory {
  return protocol => {
    // Loaded when the exporter first sends, as the exporter asks of a factory,
    // so the http instrumentation has patched the module by then.
    const { Agent: BaseAgent } = (protocol === 'https:' ? require('node:https') : require('node:http')) as { Agent: new (options: object) => Agent };
    // Over plain http there is no TLS to configure, as in the exporter's own factory.
    const agent = new BaseAgent(protocol === 'https:' ? { keepAlive: true, ...tls() } : { keepAlive: true });
    const addRequest = (agent as unknown as AgentWithAddRequest).addRequest.bind(agent);
    (agent as unknown as AgentWithAddRequest).addRequest = (request, options) => {
      armDeadline(request, timeout);
      addRequest(request, options);
    };
    return agent;
  };
}

function armDeadline(request: ClientRequest, timeout: { readonly millis: number; readonly variable: string }): void {
  const started = Date.now();
  let budget = timeout.millis;
  let answering = false;
  request.once('response', () => {
    answering = true;
  });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        // With no answer begun this is the exporter's own timeout, and is reported in its words.
        const error = answering
          ? Object.assign(new Error(`the export attempt passed ${timeout.variable} (${timeout.millis} ms) before the collector finished answering`), {
              code: 'ETIMEDOUT',
            })
          : new Error('Request timed out');
        request.destroy(error);
      },
      Math.max(0, started + budget - Date.now()),
    );
    timer.unref();
  };
  // The exporter calls setTimeout right after creating the request, with what
  // remains of the batch's deadline: that is this attempt's budget.
  const setTimeoutOriginal = request.setTimeout;
  request.setTimeout = function setTimeout(this: ClientRequest, msecs: number, callback?: () => void) {
    if (typeof msecs === 'number' && msecs > 0 && msecs < budget) {
      budget = msecs;
      arm();
    }
    return setTimeoutOriginal.call(this, msecs, callback);
  };
  arm();
  request.once('close', () => clearTimeout(timer));
}
