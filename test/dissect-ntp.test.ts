import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ntpDissector } from '../src/classify/naming/ntp.js';
import { fixture, fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '85.22.62.120', clientPort: 123, server: '78.46.76.11', serverPort: 123 };

test('an NTPv4 time packet: version, mode and stratum', () => {
  const r = run(ntpDissector, FLOW, [{ dir: 0, payload: fixture('ntp-v4-client') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'NTP');
  assert.equal(r.out.meta['ntp'], { version: 4, mode: 3, stratum: 2 });
});

test('an NTPv2 mode-7 (ntpdc) reply from port 123 to another port', () => {
  const r = run(ntpDissector, { ...FLOW, clientPort: 123, serverPort: 80 }, [{ dir: 0, payload: fixture('ntp-v2-private') }]);
  assert.equal(r.out.meta['ntp'], { version: 2, mode: 7 });
});

test('control (mode 6) and authenticated time packets', () => {
  const readvar = fromHex('16 02 0001 0000 0000 0000 0000'); // ntpq "rv", no data
  assert.equal(run(ntpDissector, FLOW, [{ dir: 0, payload: readvar }]).out.meta['ntp'], { version: 2, mode: 6 });
  const mac = Uint8Array.of(...fixture('ntp-v4-client'), ...new Uint8Array(20)); // key id + MD5
  assert.is(run(ntpDissector, FLOW, [{ dir: 0, payload: mac }]).out.protocol, 'NTP');
});

test("a client's precision is not judged (clients may leave their clock fields odd)", () => {
  const time = fixture('ntp-v4-client');
  const odd = Uint8Array.of(...time.subarray(0, 3), 32, ...time.subarray(4), ...new Uint8Array(20));
  assert.is(run(ntpDissector, FLOW, [{ dir: 0, payload: odd }]).out.protocol, 'NTP');
});

test('not NTP: version 0 or 5+, mode 0, short time packets, impossible stratum, other ports', () => {
  const time = fixture('ntp-v4-client');
  const bad = [
    Uint8Array.of(0x03, ...time.subarray(1)), // version 0
    Uint8Array.of(0x2b, ...time.subarray(1)), // version 5
    Uint8Array.of(0x20, ...time.subarray(1)), // mode 0
    time.subarray(0, 47),
    Uint8Array.of(time[0]!, 17, ...time.subarray(2)), // stratum 17
    Uint8Array.of(time[0]!, time[1]!, 18, ...time.subarray(3)), // poll 2^18 s
    Uint8Array.of(0x24, ...time.subarray(1, 3), 5, ...time.subarray(4)), // a server's precision 2^5 s
    Uint8Array.of(...time, 0), // 49 bytes: no whole words after the header
    fromHex('16 02 0000 0000 0000'), // mode 6 shorter than its header
    fromHex('16 00 0001 0000 0000 0000 0000'), // mode 6 without an opcode
    fromHex('16 02 0001 0000 0000 0000 0010'), // mode 6 announcing 16 bytes it lacks
    fromHex('17 00 01 2a 0000 0000'), // mode 7 from an unknown implementation
  ];
  for (const b of bad) assert.equal(run(ntpDissector, FLOW, [{ dir: 0, payload: b }]).steps, ['no']);
  assert.equal(run(ntpDissector, { ...FLOW, clientPort: 4000, serverPort: 4000 }, [{ dir: 0, payload: time }]).steps, ['no']);
});

test.run();
