import { initialKeys, openInitial } from '../../../src/classify/quic/initial-keys.js';
import { ctr, ecb } from '@noble/ciphers/aes.js';
import { _SHA256 } from '@noble/hashes/sha2.js';
const now = () => performance.now();
function bench(name: string, n: number, f: () => void) {
  f();
  const t = now();
  for (let i = 0; i < n; i++) f();
  console.log(name, ((now() - t) * 1000 / n).toFixed(2), 'us');
}
const dcid = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
bench('initialKeys', 300, () => { dcid[0]++; initialKeys(1, dcid, 'client'); });
const keys = initialKeys(1, dcid, 'client');
const block = new Uint8Array(16);
bench('ecb hp 1 block', 300, () => { ecb(keys.hp, { disablePadding: true }).encrypt(block); });
const buf = new Uint8Array(640);
bench('ctr 640B', 300, () => { ctr(keys.key, new Uint8Array(16)).decrypt(buf, buf); });
const h = new _SHA256();
const m = new Uint8Array(64);
bench('sha256 1 block x10', 300, () => { for (let i = 0; i < 10; i++) { const x = new _SHA256(); x.update(m); x.digest(); } });
