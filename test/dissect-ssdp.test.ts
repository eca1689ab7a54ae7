import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ssdpDissector } from '../src/classify/naming/ssdp.js';
import { ascii, fixture, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '169.254.225.216', clientPort: 60538, server: '239.255.255.250', serverPort: 1900 };

test('M-SEARCH: host name is the Host header with its port, as nDPI keeps it', () => {
  const r = run(ssdpDissector, FLOW, [{ dir: 0, payload: fixture('ssdp-msearch') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'SSDP');
  assert.is(r.out.hostname, '239.255.255.250:1900');
  assert.equal(r.out.meta['ssdp'], { method: 'M-SEARCH', st: 'urn:dial-multiscreen-org:service:dial:1' });
});

test('NOTIFY on any port, and a unicast search reply from 1900', () => {
  const notify = ascii('NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nSERVER: Linux UPnP/1.0\r\n\r\n');
  const n = run(ssdpDissector, { ...FLOW, clientPort: 1900 }, [{ dir: 0, payload: notify }]);
  assert.equal(n.out.meta['ssdp'], { method: 'NOTIFY', nt: 'upnp:rootdevice', server: 'Linux UPnP/1.0' });
  const reply = ascii('HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\nLOCATION: http://192.168.1.1:5000/\r\n\r\n');
  const rr = run(ssdpDissector, { ...FLOW, client: '192.168.1.1', clientPort: 1900, server: '192.168.1.7', serverPort: 53776 }, [{ dir: 0, payload: reply }]);
  assert.is(rr.out.protocol, 'SSDP');
  assert.is(rr.out.hostname, null);
});

test('a search reply from any port, told by its reply headers (EXT, LOCATION)', () => {
  const reply = ascii(
    'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://192.168.1.1:49152/desc.xml\r\n' +
      'SERVER: Linux/5.4 UPnP/1.1 MiniUPnPd/2.2\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nUSN: uuid:abc::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n',
  );
  const r = run(ssdpDissector, { ...FLOW, client: '192.168.1.1', clientPort: 49153, server: '192.168.1.7', serverPort: 53776 }, [{ dir: 0, payload: reply }]);
  assert.is(r.out.protocol, 'SSDP');
  assert.equal(r.out.meta['ssdp'], { method: 'RESPONSE', st: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', server: 'Linux/5.4 UPnP/1.1 MiniUPnPd/2.2' });
});

test('not SSDP: HTTP responses without SSDP headers, or with ST/USN only away from 1900, other payloads', () => {
  const plain = ascii('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n');
  assert.equal(run(ssdpDissector, { ...FLOW, clientPort: 1900 }, [{ dir: 0, payload: plain }]).steps, ['no']);
  const reply = ascii('HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:1\r\n\r\n');
  assert.equal(run(ssdpDissector, { ...FLOW, serverPort: 8000 }, [{ dir: 0, payload: reply }]).steps, ['no']);
  for (const p of [ascii('M-SEARCH * HTTP/1.0\r\n\r\n'), ascii('GET / HTTP/1.1\r\n\r\n'), fixture('dns-query-captive-apple')]) {
    assert.equal(run(ssdpDissector, FLOW, [{ dir: 0, payload: p }]).steps, ['no']);
  }
});

test.run();
