/**
 * `tracehop view`'s human output as a person sees it: in a real terminal
 * (a tmux pane, read back with `capture-pane -e` to see the escape codes), with
 * NO_COLOR, and through a pipe, where it must carry no escape codes at all.
 */
import { execFileSync } from 'node:child_process';
import { startView, BIN } from '../support/view-cli';

const SOCKET = `tracehop-view-test-${process.pid}`;
const ESC = '\u001b';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
}

/** A pane has no event to wait on: it is read again every 100 ms until it shows what is expected. */
async function paneShows(session: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pane = tmux('capture-pane', '-p', '-e', '-J', '-t', session);
    if (pattern.test(pane)) return pane;
    if (Date.now() > deadline) throw new Error(`pane ${session} did not show ${pattern}; it shows:\n${pane}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

const exportBody = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '0dadb33fee15470abfc85e35926793a5',
              spanId: '1111111111111111',
              name: 'POST',
              kind: 2,
              startTimeUnixNano: '1000000000',
              endTimeUnixNano: '1020000000',
              attributes: [
                { key: 'request.id', value: { stringValue: '0dadb33f-ee15-470a-bfc8-5e35926793a5' } },
                { key: 'http.route', value: { stringValue: '/cards/lost_and_stolen/' } },
              ],
            },
            {
              traceId: '0dadb33fee15470abfc85e35926793a5',
              spanId: '2222222222222222',
              parentSpanId: '1111111111111111',
              name: 'GET',
              kind: 3,
              startTimeUnixNano: '1005000000',
              endTimeUnixNano: '1015000000',
              status: { code: 2, message: 'ECONNREFUSED' },
            },
          ],
        },
      ],
    },
  ],
});

async function send(url: string): Promise<void> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody });
  expect(response.status).toBe(200);
}

function runInPane(session: string, env: string): void {
  // A wide pane, so the rows are not wrapped; stdin is the terminal, so no logs are read from it.
  tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', `env ${env} ${process.execPath} ${BIN} view --port 0 --quiet-ms 100; sleep 30`);
}

describe('tracehop view in a terminal and through a pipe', () => {
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // no server left to kill
    }
  });

  test.each<[string, string, boolean]>([
    ['a terminal gets colour: the error in red', 'TERM=xterm-256color', true],
    ['a terminal with NO_COLOR set gets none', 'TERM=xterm-256color NO_COLOR=1', false],
  ])(
    '%s',
    async (_title, env, coloured) => {
      const session = coloured ? 'colour' : 'nocolour';
      runInPane(session, env);
      const listening = await paneShows(session, /on http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
      const url = (/on (http:\/\/127\.0\.0\.1:\d+)\/v1\/traces/.exec(listening) as RegExpExecArray)[1];
      await send(url);
      const pane = await paneShows(session, /✗ error: ECONNREFUSED/);
      expect(pane).toContain('0dadb33f-ee15-470a-bfc8-5e35926793a5');
      if (coloured) {
        expect(pane).toContain(`${ESC}[31m✗ error: ECONNREFUSED`);
      } else {
        expect(pane).not.toContain(`${ESC}[`);
      }
      tmux('send-keys', '-t', session, 'C-c');
    },
    60_000,
  );

  test('through a pipe: the same tree with no escape codes', async () => {
    const view = await startView(['--quiet-ms', '100'], { FORCE_COLOR: '1' });
    try {
      await send(view.url);
      const out = await view.waitFor('stdout', /✗ error: ECONNREFUSED/);
      expect(out).not.toContain(ESC);
      expect(
        out
          .split('\n')
          .slice(0, 3)
          .map(line => line.replace(/\s+/g, ' ')),
      ).toEqual([
        'request 0dadb33f-ee15-470a-bfc8-5e35926793a5 trace 0dadb33fee15470abfc85e35926793a5 20.0 ms, 2 spans 1 error',
        'gateway POST /cards/lost_and_stolen/ server 20.0 ms [██████████████████████████████] unset',
        '└─ gateway GET client 10.0 ms [ ████████████████ ] ✗ error: ECONNREFUSED',
      ]);
    } finally {
      expect(await view.stop()).toBe(0);
    }
  }, 60_000);
});
