/** The request id header added to an upgrade's raw answer head (src/http/upgrade-server-span.ts). */
import { withHeader } from '../../../src/http/upgrade-server-span';

test.each([
  [
    'a 101 gets the header before its blank line',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Request-ID: abc\r\n\r\n',
  ],
  [
    'a refusal keeps its body after the head',
    'HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\nUnauthorized',
    'HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nX-Request-ID: abc\r\n\r\nUnauthorized',
  ],
  ["the app's own header wins, in any case", 'HTTP/1.1 101 OK\r\nx-request-id: mine\r\n\r\n', 'HTTP/1.1 101 OK\r\nx-request-id: mine\r\n\r\n'],
  ['a head split over writes is left alone', 'HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n', 'HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n'],
])('%s', (_title, head, expected) => {
  expect(withHeader(head, 'X-Request-ID', 'abc')).toBe(expected);
});
