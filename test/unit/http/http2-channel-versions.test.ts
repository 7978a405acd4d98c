/** Which Node versions publish `http2.server.stream.start` (the debug line at start-up on those that do not). */
import { publishesHttp2StreamStart } from '../../../src/http/http2-server-span';

test.each([
  ['22.15.0', false],
  ['22.16.0', false],
  ['22.17.0', true],
  ['22.23.5', true],
  ['24.0.0', true],
  ['26.1.0', true],
])('Node %s publishes it: %s', (version, expected) => {
  expect(publishesHttp2StreamStart(version)).toBe(expected);
});
