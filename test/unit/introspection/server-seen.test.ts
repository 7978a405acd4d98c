import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import { serverSeen } from '../../../src/introspection/doctor-channel';

describe('the server the doctor names', () => {
  test.each<[string, () => unknown, ReturnType<typeof serverSeen>]>([
    ['http', () => http.createServer(), { kind: 'http', upgrades: false }],
    ['https', () => https.createServer(), { kind: 'https', upgrades: false }],
    ['HTTP/2 cleartext', () => http2.createServer(), { kind: 'http2', upgrades: false }],
    ['HTTP/2 over TLS', () => http2.createSecureServer(), { kind: 'http2-secure', upgrades: false }],
    ['http with an upgrade listener (a WebSocket library)', () => http.createServer().on('upgrade', () => undefined), { kind: 'http', upgrades: true }],
    ['a plain TCP server', () => net.createServer(), { kind: 'other', upgrades: false }],
    ['nothing', () => undefined, undefined],
  ])('%s', (_title, make, expected) => {
    expect(serverSeen(make())).toEqual(expected);
  });
});
