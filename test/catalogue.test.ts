import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCatalogue, packCatalogueApps, type CatalogueSources } from '../src/catalogue/compile.js';
import type { CompiledCatalogue } from '../src/catalogue/compiled.js';
import { defaultCatalogue as lazyDefault, defaultCatalogueErrors, loadDefaultCatalogue } from '../src/catalogue/catalogue.js';
import { appIdForNdpiName, categoryForNdpiCategory } from '../src/catalogue/ndpi-names.js';
import { aggregatePrefixes, fromPrefixList, toPrefixList, type FamilyBits, type Prefix } from '../src/catalogue/networks.js';
import { buildRanges } from '../src/catalogue/range-table.js';
import { packNetworks, unpackNetworks } from '../src/catalogue/network-codec.js';
import { REPO_DIR } from './helpers/corpus.js';
import { Classifier } from '../src/classify/engine.js';
import { HintCache } from '../src/classify/hints.js';
import type { FlowView } from '../src/flow/types.js';

const CATEGORIES = {
  sources: { doc: 'test fixture: categories written for this test' },
  categories: [
    { tag: 'web', name: 'Web', ndpi: ['Web'], facts: ['@doc'] },
    { tag: 'streaming-media', name: 'Streaming', ndpi: ['Video'], facts: ['@doc'] },
    { tag: 'social-media', name: 'Social', facts: ['@doc'] },
  ],
};
const PROTOCOLS = { protocols: [{ name: 'TLS', category: 'web', facts: ['fixture protocol entry'] }] };

function sources(apps: unknown[], extra: Partial<CatalogueSources> = {}): CatalogueSources {
  return { apps: { apps }, categories: CATEGORIES, protocols: PROTOCOLS, ...extra };
}

function compiled(apps: unknown[]): CompiledCatalogue {
  const r = compileCatalogue(sources(apps));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.catalogue;
}

function errorsOf(apps: unknown[], extra: Partial<CatalogueSources> = {}): string {
  const r = compileCatalogue(sources(apps, extra));
  assert.is(r.ok, false, 'expected compile errors');
  return r.ok ? '' : r.errors.join('\n');
}

const defaultCatalogue = loadDefaultCatalogue();

const app = (id: string, over: object = {}) => ({
  id,
  name: id,
  category: 'web',
  domains: [`${id}.example`],
  facts: ['fixture app entry'],
  ...over,
});

// ---- the shipped data -----------------------------------------------------------------

test('bundled data compiles without errors and meets the size floor', () => {
  assert.equal(defaultCatalogueErrors(), []);
  // The lazy wrapper the CLI uses answers like the compiled catalogue.
  assert.equal(lazyDefault.appForHost('www.youtube.com'), defaultCatalogue.appForHost('www.youtube.com'));
  assert.is(lazyDefault.appForAddress('31.13.64.1')?.app, 'facebook');
  assert.is(lazyDefault.categoryOfApp('netify.youtube'), 'streaming-media');
  assert.is(lazyDefault.protocolCategory('TLS'), 'web');
  assert.ok(defaultCatalogue.stats.apps >= 300, `apps: ${defaultCatalogue.stats.apps}`);
  assert.ok(defaultCatalogue.stats.categories >= 25, `categories: ${defaultCatalogue.stats.categories}`);
  for (const a of defaultCatalogue.apps) {
    assert.ok(a.facts.length > 0, `${a.id} has facts`);
    assert.match(a.id, /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);
  }
  for (const c of defaultCatalogue.categories) assert.match(c.tag, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
});

test('hostname: subdomains match, label boundaries respected', () => {
  const c = defaultCatalogue;
  assert.equal(c.appForHost('www.youtube.com'), { app: 'youtube', category: 'streaming-media', hosting: false });
  assert.is(c.appForHost('youtube.com')?.app, 'youtube');
  assert.is(c.appForHost('notyoutube.com'), null);
  assert.is(c.appForHost('youtube.com.evil.example'), null);
  assert.is(c.appForHost('WWW.NETFLIX.COM.')?.app, 'netflix');
  assert.is(c.appForHost(''), null);
  assert.is(c.appForHost('.'), null);
  assert.is(c.appForHost('a'.repeat(300) + '.youtube.com'), null);
});

test('hostname: the longest suffix wins', () => {
  const c = defaultCatalogue;
  assert.is(c.appForHost('r3---sn-vh5ouxa-hju6.googlevideo.com')?.app, 'youtube');
  assert.is(c.appForHost('accounts.google.com')?.app, 'google');
  assert.is(c.appForHost('drive.google.com')?.app, 'google-drive');
  assert.is(c.appForHost('android.clients.google.com')?.app, 'google-play');
  assert.is(c.appForHost('youtubei.googleapis.com')?.app, 'youtube');
  assert.is(c.appForHost('www.googleapis.com')?.app, 'google');
  assert.is(c.appForHost('media.fmct2-1.fna.whatsapp.net')?.app, 'whatsapp');
  assert.is(c.appForHost('api.teams.skype.com')?.app, 'teams');
  assert.is(c.appForHost('www.skype.com')?.app, 'skype');
});

test('hostname: brand entries cover any public suffix', () => {
  const c = defaultCatalogue;
  assert.is(c.appForHost('www.google.co.uk')?.app, 'google');
  assert.is(c.appForHost('www.google.de')?.app, 'google');
  assert.is(c.appForHost('maps.google.de')?.app, 'google-maps');
  assert.is(c.appForHost('mail.google.com')?.app, 'gmail');
  assert.is(c.appForHost('www.wikipedia.it')?.app, 'wikipedia');
  assert.is(c.appForHost('1.downloader.disk.yandex.kz')?.app, 'yandex-disk');
  assert.is(c.appForHost('google.evil.example')?.app, undefined);
  assert.is(c.appForHost('notgoogle.de'), null);
});

test('hostname: fixture catalogue, longest match and brand against exact', () => {
  const c = compiled([
    app('parent', { domains: ['example.com'] }),
    app('child', { domains: ['video.example.com'], category: 'streaming-media' }),
    app('brand', { domains: ['shop.*'] }),
    app('exact', { domains: ['shop.example.org'] }),
  ]);
  assert.is(c.appForHost('x.example.com')?.app, 'parent');
  assert.equal(c.appForHost('a.video.example.com'), { app: 'child', category: 'streaming-media', hosting: false });
  assert.is(c.appForHost('video.example.com')?.app, 'child');
  assert.is(c.appForHost('xvideo.example.com')?.app, 'parent');
  assert.is(c.appForHost('shop.co.uk')?.app, 'brand');
  assert.is(c.appForHost('www.shop.fr')?.app, 'brand');
  assert.is(c.appForHost('shop.example.org')?.app, 'exact');
  assert.is(c.appForHost('myshop.fr'), null);
});

// ---- addresses ------------------------------------------------------------------------

test('address: IPv4 and IPv6 prefixes, deepest prefix wins', () => {
  const c = compiled([
    app('wide', { networks: ['10.0.0.0/8', '2001:db8::/32'] }),
    app('narrow', { networks: ['10.1.0.0/16', '2001:db8:1::/48', '10.1.2.3/32'] }),
    app('host', { networks: ['192.0.2.7/32'] }),
  ]);
  assert.is(c.appForAddress('10.200.1.1')?.app, 'wide');
  assert.is(c.appForAddress('10.1.99.1')?.app, 'narrow');
  assert.is(c.appForAddress('10.1.2.3')?.app, 'narrow');
  assert.is(c.appForAddress('11.0.0.1'), null);
  assert.is(c.appForAddress('2001:db8:ffff::1')?.app, 'wide');
  assert.is(c.appForAddress('2001:db8:1:2::5')?.app, 'narrow');
  assert.is(c.appForAddress('2001:db9::1'), null);
  assert.is(c.appForAddress('192.0.2.7')?.app, 'host');
  assert.is(c.appForAddress('192.0.2.8'), null);
  assert.is(c.appForAddress('::ffff:10.1.5.5')?.app, 'narrow');
  assert.is(c.appForAddress('not an ip'), null);
  assert.is(c.appForAddress('300.1.1.1'), null);
  assert.is(c.appForAddress(''), null);
});

test('address: IPv6 text forms agree with the general parser', () => {
  const c = compiled([
    app('v6', { networks: ['2001:db8::/32', '::/8', 'fe80::/10', '::ffff:0:0/96'] }),
    app('v4', { networks: ['1.2.3.0/24'] }),
  ]);
  for (const ip of ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:db8:0:0:1::', '::', '::1', 'fe80::1%eth0', '2001:0db8:0000::0001']) {
    assert.is(c.appForAddress(ip)?.app, 'v6', ip);
  }
  for (const ip of ['::ffff:1.2.3.4', '::ffff:102:304']) assert.is(c.appForAddress(ip)?.app, 'v4', ip);
  for (const ip of [':::', '2001:db8::1::2', '1:2:3:4:5:6:7:8:9', '2001:db8:', ':2001:db8::', '12345::', 'g::1', '2001:db8:::1', '1.2.3', '1.2.3.4.5', '01.2.3.4']) {
    assert.is(c.appForAddress(ip), null, ip);
  }
  // Random addresses, written compressed and in full, land where their prefix says.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xffff;
  for (let k = 0; k < 500; k++) {
    const g = [0x2001, 0xdb8, rnd(), rnd() & 1 ? 0 : rnd(), 0, rnd() & 1 ? 0 : rnd(), rnd(), rnd()];
    const full = g.map((x) => x.toString(16)).join(':');
    const compressed = full.replace(/(^|:)0(:0)+(:|$)/, '::');
    assert.is(c.appForAddress(full)?.app, 'v6', full);
    assert.is(c.appForAddress(compressed)?.app, 'v6', compressed);
    const other = [0x3001, ...g.slice(1)].map((x) => x.toString(16)).join(':');
    assert.is(c.appForAddress(other), null, other);
  }
});

test('address: well-known ranges in the shipped data', () => {
  const c = defaultCatalogue;
  assert.is(c.appForAddress('23.246.10.139')?.app, 'netflix');
  assert.is(c.appForAddress('31.13.64.1')?.app, 'facebook');
  assert.is(c.appForAddress('2a03:2880:f000::1')?.app, 'facebook');
  assert.is(c.appForAddress('8.8.8.8')?.app, 'google');
  assert.is(c.appForAddress('17.253.1.1')?.app, 'apple');
  assert.is(c.appForAddress('149.154.167.50')?.app, 'telegram');
  assert.is(c.appForAddress('192.168.1.1'), null);
});

test('address: the lists taken from nDPI name their apps (first prefix of each, IPv4 and IPv6)', () => {
  const c = defaultCatalogue;
  const cases: Array<[string, string]> = [
    ['3.0.0.1', 'aws'], // 3.0.0.0/15
    ['2400:6500:0:9::1', 'aws'],
    ['4.144.0.1', 'azure'], // 4.144.0.0/12
    ['2602:fd5e:1::1', 'azure'],
    ['8.34.208.1', 'google-cloud'], // 8.34.208.0/20
    ['2600:1900:4000::1', 'google-cloud'],
    ['5.181.224.1', 'alibaba-cloud'], // 5.181.224.0/23
    ['2400:3200::1', 'alibaba-cloud'],
    ['5.45.56.1', 'avast'],
    ['2001:67c:284::1', 'avast'],
    ['63.88.3.1', 'bloomberg'],
    ['5.180.216.1', 'discord'],
    ['2402:b180:9000::1', 'discord'],
    ['8.5.5.1', 'disney-plus'],
    ['2405:dc0:8001::1', 'disney-plus'],
    ['5.104.64.1', 'edgecast'],
    ['2405:8f00:edca::1', 'edgecast'],
    ['8.28.124.1', 'hulu'],
    ['8.26.146.1', 'nvidia'],
    ['2604:a140:1500::1', 'nvidia'],
    ['67.215.64.1', 'opendns'],
    ['208.67.222.222', 'opendns'],
    ['2620:0:cc0::1', 'opendns'],
    ['5.42.160.1', 'blizzard'], // nDPI's Starcraft list
    ['2a04:e800:5010::1', 'blizzard'],
    ['1.12.0.1', 'tencent'],
    ['2001:df5:4500::1', 'tencent'],
    ['37.230.172.1', 'yandex-cloud'],
    ['2a0d:d6c0::1', 'yandex-cloud'],
    ['23.162.40.4', 'mullvad'], // a /32
    ['2001:ac8:a:f::f001', 'mullvad'], // a /128
    ['2.56.190.2', 'nordvpn'],
    ['217.138.197.43', 'nordvpn'],
    ['2a0d:5600:8:26a::3', 'nordvpn'],
    ['2.58.241.66', 'protonvpn'],
    ['5.253.205.211', 'surfshark'],
    ['2.58.56.35', 'tor'],
  ];
  for (const [ip, app] of cases) assert.is(c.appForAddress(ip)?.app, app, ip);
  // Per-server lists are exact: the neighbours of a /32 are not the VPN's.
  assert.is.not(c.appForAddress('23.162.40.3')?.app, 'mullvad');
  assert.is.not(c.appForAddress('2.56.190.1')?.app, 'nordvpn');
  assert.is(c.appForAddress('8.8.8.8')?.app, 'google');
});

test('address: a hosting platform yields to the service ranges over or on its prefixes', () => {
  const c = defaultCatalogue;
  for (const app of ['aws', 'azure', 'google-cloud', 'alibaba-cloud', 'yandex-cloud', 'edgecast', 'cloudflare', 'cachefly']) {
    assert.is(c.app(app)?.hosting, true, app);
  }
  assert.is(c.app('skype')?.hosting, false);
  // 52.112.14.0/23 is Azure's, inside Microsoft's Teams 52.112.0.0/14: Teams (skype) keeps it.
  assert.is(c.appForAddress('52.112.14.1')?.app, 'skype');
  // 40.96.46.0/24 (Azure) inside Exchange Online's 40.96.0.0/13.
  assert.is(c.appForAddress('40.96.46.1')?.app, 'outlook');
  // Prefixes both lists carry: the service's. 23.160.0.0/24 is in AWS's and Twitch's lists.
  assert.is(c.appForAddress('23.160.0.1')?.app, 'twitch');
  // Longer prefixes inside a cloud range are the service's anyway (Zoom on AWS).
  assert.is(c.appForAddress('3.7.35.1')?.app, 'zoom');
  assert.is(c.appForAddress('3.7.34.1')?.app, 'aws');
  // Elsewhere Azure is Azure.
  assert.is(c.appForAddress('13.81.118.91')?.app, 'azure');
  const s = c.stats;
  assert.is(s.prefixes, s.prefixesV4 + s.prefixesV6);
  assert.ok(s.yieldedPrefixes > 500, `yielded ${s.yieldedPrefixes}`);
  assert.is(s.tablePrefixes, s.prefixes - s.yieldedPrefixes);
});

// ---- address tables: aggregation, ranges, packing (networks.ts) -------------------------

/** `a.b.c.d/n` or IPv6 text → Prefix words (test helper; compile.ts has the real parser). */
function pfx(text: string, app: number): Prefix {
  const [addr, len] = text.split('/') as [string, string];
  let value = 0n;
  if (addr.includes(':')) {
    const [head, tail] = addr.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  } else {
    for (const o of addr.split('.')) value = (value << 8n) | BigInt(Number(o));
    value <<= 96n;
  }
  const words = [0, 1, 2, 3].map((k) => Number((value >> BigInt(96 - 32 * k)) & 0xffffffffn));
  return { words, length: Number(len), app };
}

const show = (list: readonly Prefix[], bits: FamilyBits): string[] =>
  list.map((p) => {
    const v = p.words.slice(0, bits / 32).map((w) => w.toString(16).padStart(8, '0')).join(':');
    return `${v}/${p.length}=${p.app}`;
  });

test('aggregatePrefixes: halves merge, contained prefixes of the same app drop, holes stay', () => {
  const none = () => false;
  const agg = aggregatePrefixes(
    [
      pfx('10.0.0.0/25', 0),
      pfx('10.0.0.128/25', 0), // with the one above: 10.0.0.0/24
      pfx('10.0.1.0/24', 0), // and then with it: 10.0.0.0/23
      pfx('10.1.0.0/16', 1),
      pfx('10.1.2.0/24', 1), // inside 10.1.0.0/16, same app: says nothing
      pfx('10.1.4.0/24', 2), // a hole of another app ...
      pfx('10.1.4.0/26', 1), // ... with app 1 again inside it: must stay
      pfx('10.2.0.0/24', 3),
      pfx('10.2.1.0/24', 4), // halves of different apps: no merge
    ],
    32,
    none,
  );
  assert.equal(agg.duplicates, []);
  assert.is(agg.yielded, 0);
  assert.equal(
    show(agg.prefixes, 32),
    show([pfx('10.0.0.0/23', 0), pfx('10.1.0.0/16', 1), pfx('10.1.4.0/24', 2), pfx('10.1.4.0/26', 1), pfx('10.2.0.0/24', 3), pfx('10.2.1.0/24', 4)], 32),
  );
});

test('aggregatePrefixes: hosting prefixes yield; same-rank duplicates are reported', () => {
  const hosting = (app: number) => app === 9;
  const agg = aggregatePrefixes(
    [
      pfx('20.0.0.0/8', 9), // a cloud
      pfx('20.1.0.0/16', 1), // a service inside it: longer, wins anyway
      pfx('20.1.2.0/24', 9), // cloud inside the service: yields
      pfx('20.2.0.0/16', 9),
      pfx('20.2.0.0/16', 2), // the very same prefix: the service's
      pfx('20.3.0.0/16', 3),
      pfx('20.3.0.0/16', 4), // same prefix, same rank: a duplicate
    ],
    32,
    hosting,
  );
  assert.is(agg.yielded, 2);
  assert.equal(agg.duplicates, [[6, 5]]);
  assert.equal(show(agg.prefixes, 32), show([pfx('20.0.0.0/8', 9), pfx('20.1.0.0/16', 1), pfx('20.2.0.0/16', 2), pfx('20.3.0.0/16', 3)], 32));
});

/** Reference answer: the longest non-hosting prefix covering the address, else the longest hosting one. */
function reference(input: readonly Prefix[], addr: bigint, bits: FamilyBits, hosting: (app: number) => boolean): number {
  let best: Prefix | null = null;
  const valueOf = (p: Prefix) => p.words.reduce((v, w) => (v << 32n) | BigInt(w), 0n) >> BigInt(128 - bits);
  for (const p of input) {
    const shift = BigInt(bits - p.length);
    if (addr >> shift !== valueOf(p) >> shift) continue;
    if (best === null) best = p;
    else if (hosting(best.app) !== hosting(p.app)) best = hosting(best.app) ? p : best;
    else if (p.length > best.length) best = p;
  }
  return best?.app ?? -1;
}

function wordsOf(addr: bigint, bits: FamilyBits): number[] {
  const v = addr << BigInt(128 - bits);
  return [0, 1, 2, 3].map((k) => Number((v >> BigInt(96 - 32 * k)) & 0xffffffffn));
}

test('aggregatePrefixes + buildRanges: random nested tables answer like the precedence rules', () => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const hosting = (app: number) => app >= 3;
  let shrunk = 0;
  let yielded = 0;
  for (const bits of [32, 128] as const) {
    for (let round = 0; round < 30; round++) {
      // Prefixes crowded into one /16 (IPv4) or /48 (IPv6) so that they nest and touch.
      const base = bits === 32 ? 0x0a000000n : 0x20010db8000000000000n << 32n;
      const top = bits === 32 ? 16 : 48;
      const seen = new Set<string>();
      const input: Prefix[] = [];
      for (let k = 0; k < 60; k++) {
        const length = top + 1 + rnd(bits - top);
        const span = BigInt(bits - top);
        let offset = 0n;
        for (let b = 0n; b < span; b += 15n) offset = (offset << 15n) | BigInt(rnd(1 << 15));
        offset &= (1n << span) - 1n;
        const addr = ((base + offset) >> BigInt(bits - length)) << BigInt(bits - length);
        const key = `${addr}/${length}`;
        if (seen.has(key)) continue;
        seen.add(key);
        input.push({ words: wordsOf(addr, bits), length, app: rnd(5) });
      }
      // Neighbouring halves of one app, to give the merge something to do.
      for (let k = 0; k < 10; k++) {
        const p = input[rnd(input.length)]!;
        if (p.length >= bits || p.length <= top + 1) continue;
        const v = p.words.reduce((x, w) => (x << 32n) | BigInt(w), 0n) >> BigInt(128 - bits);
        const sib = v ^ (1n << BigInt(bits - p.length));
        const key = `${sib}/${p.length}`;
        if (seen.has(key)) continue;
        seen.add(key);
        input.push({ words: wordsOf(sib, bits), length: p.length, app: p.app });
      }
      const agg = aggregatePrefixes(input, bits, hosting);
      assert.equal(agg.duplicates, []);
      assert.ok(agg.prefixes.length <= input.length);
      shrunk += input.length - agg.yielded - agg.prefixes.length;
      yielded += agg.yielded;
      const table = buildRanges(toPrefixList(agg.prefixes, bits));
      const probes: bigint[] = [];
      for (const p of input) {
        const v = p.words.reduce((x, w) => (x << 32n) | BigInt(w), 0n) >> BigInt(128 - bits);
        const size = 1n << BigInt(bits - p.length);
        probes.push(v - 1n, v, v + 1n, v + size - 1n, v + size);
      }
      for (const a of probes) {
        if (a < 0n || a >= 1n << BigInt(bits)) continue;
        assert.is(table.lookup(wordsOf(a, bits)), reference(input, a, bits, hosting), `${bits}-bit round ${round}: ${a.toString(16)}`);
      }
    }
  }
  // The tables gave every rule work to do.
  assert.ok(shrunk > 50, `merged or dropped ${shrunk}`);
  assert.ok(yielded > 50, `yielded ${yielded}`);
});

test('buildRanges: prefixes at the edges of the address space', () => {
  const t4 = buildRanges(toPrefixList([pfx('0.0.0.0/8', 1), pfx('255.0.0.0/8', 2), pfx('255.255.255.255/32', 3)], 32));
  assert.is(t4.lookup([0, 0, 0, 0]), 1);
  assert.is(t4.lookup([0x01000000, 0, 0, 0]), -1);
  assert.is(t4.lookup([0xfffffffe, 0, 0, 0]), 2);
  assert.is(t4.lookup([0xffffffff, 0, 0, 0]), 3);
  const t6 = buildRanges(toPrefixList([pfx('ff00::/8', 1), pfx('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 2)], 128));
  assert.is(t6.lookup([0xfeffffff, 0xffffffff, 0xffffffff, 0xffffffff]), -1);
  assert.is(t6.lookup([0xff000000, 0, 0, 0]), 1);
  assert.is(t6.lookup([0xffffffff, 0xffffffff, 0xffffffff, 0xfffffffe]), 1);
  assert.is(t6.lookup([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), 2);
});

test('packNetworks / unpackNetworks: round trip, and damage is an error', () => {
  const v4 = aggregatePrefixes(
    [pfx('0.0.0.0/8', 0), pfx('0.0.0.0/16', 5), pfx('10.0.0.0/8', 1), pfx('10.128.0.0/9', 2), pfx('10.200.1.7/32', 1), pfx('255.255.255.255/32', 7)],
    32,
    () => false,
  ).prefixes;
  const v6 = aggregatePrefixes(
    [pfx('2001:db8::/32', 3), pfx('2001:db8:0:1::/64', 4), pfx('2001:db8:ffff:ffff:ffff:ffff:ffff:fffe/127', 3), pfx('2a03:2880::/29', 5), pfx('ffff::1/128', 6)],
    128,
    () => false,
  ).prefixes;
  const table = { v4: toPrefixList(v4, 32), v6: toPrefixList(v6, 128), listedV4: 6, listedV6: 5, yielded: 2 };
  const text = packNetworks(table);
  assert.match(text, /^[A-Za-z0-9+/]+=*$/);
  const back = unpackNetworks(text, 8);
  assert.equal(fromPrefixList(back.v4), v4);
  assert.equal(fromPrefixList(back.v6), v6);
  assert.equal([back.listedV4, back.listedV6, back.yielded], [6, 5, 2]);
  // Damage: truncation, a foreign character, another version, app indexes past the apps.
  assert.throws(() => unpackNetworks(text.slice(0, text.length - 8), 8), /packed networks/);
  assert.throws(() => unpackNetworks(text.slice(0, 10) + '*' + text.slice(11), 8), /not base64/);
  assert.throws(() => unpackNetworks('Ag' + text.slice(2), 8), /version/);
  assert.throws(() => unpackNetworks(text, 4), /past the 4 apps/);
  assert.equal(fromPrefixList(unpackNetworks(packNetworks({ ...table, v4: toPrefixList([], 32), v6: toPrefixList([], 128) }), 1).v4), []);
});

test('packCatalogueApps: the packed shipped data answers exactly like the source', () => {
  const read = (name: string): unknown => JSON.parse(readFileSync(join(REPO_DIR, 'src/catalogue/data', name), 'utf8'));
  const src = { apps: read('apps.json'), categories: read('categories.json'), protocols: read('protocols.json') };
  const packed = packCatalogueApps(src);
  if (!packed.ok) throw new Error(packed.errors.join('\n'));
  assert.type(packed.apps['packedNetworks'], 'string');
  assert.ok((packed.apps['apps'] as Array<Record<string, unknown>>).every((a) => a['networks'] === undefined));
  const a = compileCatalogue(src);
  const b = compileCatalogue({ ...src, apps: packed.apps });
  if (!a.ok || !b.ok) throw new Error('compile failed');
  assert.equal(b.catalogue.stats, a.catalogue.stats);
  // Every listed prefix's first and last address, and the addresses just outside.
  let probes = 0;
  for (const app of a.catalogue.apps) {
    for (const n of app.networks) {
      const [addr, len] = n.split('/') as [string, string];
      if (addr.includes(':')) {
        for (const ip of [addr, addr.endsWith('::') ? `${addr}1` : addr]) {
          assert.equal(b.catalogue.appForAddress(ip), a.catalogue.appForAddress(ip), ip);
          probes++;
        }
        continue;
      }
      const start = addr.split('.').reduce((v, o) => v * 256 + Number(o), 0);
      const end = start + 2 ** (32 - Number(len)) - 1;
      for (const x of [start - 1, start, end, end + 1]) {
        if (x < 0 || x >= 2 ** 32) continue;
        const ip = [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
        assert.equal(b.catalogue.appForAddress(ip), a.catalogue.appForAddress(ip), ip);
        probes++;
      }
    }
  }
  assert.ok(probes > 50_000, `${probes} probes`);
});

test('compileCatalogue checked: the shipped data (packed as bundled) compiles to the same catalogue', () => {
  const read = (name: string): unknown => JSON.parse(readFileSync(join(REPO_DIR, 'src/catalogue/data', name), 'utf8'));
  const src = { apps: read('apps.json'), categories: read('categories.json'), protocols: read('protocols.json') };
  const packed = packCatalogueApps(src);
  if (!packed.ok) throw new Error(packed.errors.join('\n'));
  const bundled = { ...src, apps: packed.apps };
  const full = compileCatalogue(bundled);
  const checked = compileCatalogue(bundled, { checked: true });
  if (!full.ok || !checked.ok) throw new Error('compile failed');
  assert.equal(checked.catalogue.stats, full.catalogue.stats);
  assert.equal(checked.catalogue.apps, full.catalogue.apps);
  assert.equal(checked.catalogue.categories, full.catalogue.categories);
  assert.equal(checked.catalogue.protocols, full.catalogue.protocols);
  for (const app of full.catalogue.apps) {
    for (const d of app.domains) {
      const host = d.endsWith('.*') ? `www.${d.slice(0, -2)}.com` : `x.${d}`;
      assert.equal(checked.catalogue.appForHost(host), full.catalogue.appForHost(host), host);
    }
  }
});

test('validation: hosting flag, packed table', () => {
  const e = errorsOf([app('h', { networks: ['192.0.2.0/24'], hosting: 'yes' })]);
  assert.match(e, `app 'h': "hosting" must be true or false`);
  // A hosting app's prefix equal to a service's yields; two hosting apps' equal prefixes clash.
  const c = compiled([
    app('cloud', { networks: ['192.0.2.0/24', '198.51.100.0/24'], hosting: true }),
    app('svc', { networks: ['192.0.2.0/24'] }),
  ]);
  assert.is(c.appForAddress('192.0.2.1')?.app, 'svc');
  assert.is(c.appForAddress('198.51.100.1')?.app, 'cloud');
  assert.is(c.stats.yieldedPrefixes, 1);
  const e2 = errorsOf([app('c1', { networks: ['192.0.2.0/24'], hosting: true }), app('c2', { networks: ['192.0.2.0/24'], hosting: true })]);
  assert.match(e2, "app 'c2': duplicate network '192.0.2.0/24' (also in app 'c1')");
  // Damaged or doubled packed data: errors, not exceptions.
  const withPacked = (apps: unknown[], packedNetworks: unknown) => compileCatalogue({ apps: { apps, packedNetworks }, categories: CATEGORIES, protocols: PROTOCOLS });
  const r1 = withPacked([app('a')], 'AQ==');
  assert.is(r1.ok, false);
  if (!r1.ok) assert.match(r1.errors.join('\n'), '"packedNetworks" is damaged');
  const r2 = withPacked([app('a', { networks: ['192.0.2.0/24'] })], 'AQ==');
  assert.is(r2.ok, false);
  if (!r2.ok) assert.match(r2.errors.join('\n'), `"packedNetworks" and apps' "networks" both given`);
  const r3 = withPacked([app('a')], 7);
  assert.is(r3.ok, false);
});

// ---- categories -----------------------------------------------------------------------

test('categoryOfApp with and without the netify. prefix', () => {
  const c = defaultCatalogue;
  assert.is(c.categoryOfApp('youtube'), 'streaming-media');
  assert.is(c.categoryOfApp('netify.youtube'), 'streaming-media');
  assert.is(c.categoryOfApp('Netify.YouTube'), 'streaming-media');
  assert.is(c.categoryOfApp('netify.facebook'), 'social-media');
  assert.is(c.categoryOfApp('netify.playstation'), 'games');
  assert.is(c.categoryOfApp('whatsapp'), 'messaging');
  assert.is(c.categoryOfApp('netify.no-such-app'), null);
  assert.is(c.categoryOfApp('netify.'), null);
});

test('protocolCategory: nDPI names, any case', () => {
  const c = defaultCatalogue;
  assert.is(c.protocolCategory('TLS'), 'web');
  assert.is(c.protocolCategory('QUIC'), 'web');
  assert.is(c.protocolCategory('DNS'), 'network-services');
  assert.is(c.protocolCategory('BitTorrent'), 'file-sharing');
  assert.is(c.protocolCategory('OpenVPN'), 'vpn-and-proxy');
  assert.is(c.protocolCategory('WireGuard'), 'vpn-and-proxy');
  assert.is(c.protocolCategory('SSH'), 'remote-access');
  assert.is(c.protocolCategory('IPsec'), 'vpn-and-proxy');
  assert.is(c.protocolCategory('SMBv23'), 'file-transfer');
  assert.is(c.protocolCategory('RTP'), 'voip');
  assert.is(c.protocolCategory('Unknown'), null);
  assert.is(c.protocolCategory('NoSuchProtocol'), null);
});

test('nDPI names map to app ids and categories', () => {
  assert.is(appIdForNdpiName('YouTube'), 'youtube');
  assert.is(appIdForNdpiName('YouTubeUpload'), 'youtube');
  assert.is(appIdForNdpiName('Google'), 'google');
  assert.is(appIdForNdpiName('WhatsAppCall'), 'whatsapp');
  assert.is(appIdForNdpiName('STUN.WhatsAppCall'), 'whatsapp');
  assert.is(appIdForNdpiName('TLS.YouTube'), 'youtube');
  assert.is(appIdForNdpiName('NetFlix'), 'netflix');
  assert.is(appIdForNdpiName('TLS'), null);
  assert.is(appIdForNdpiName('DNS'), null);
  assert.is(categoryForNdpiCategory('SocialNetwork'), 'social-media');
  assert.is(categoryForNdpiCategory('VoIP'), 'voip');
  assert.is(categoryForNdpiCategory('Nonsense'), null);
});

// ---- validation -----------------------------------------------------------------------

test('validation: unknown category names the app', () => {
  const e = errorsOf([app('alpha', { category: 'streaming' })]);
  assert.match(e, "apps.json: app 'alpha': unknown category 'streaming'");
});

test('validation: duplicate domain names both apps', () => {
  const e = errorsOf([app('alpha', { domains: ['same.example'] }), app('beta', { domains: ['same.example'] })]);
  assert.match(e, "apps.json: app 'beta': duplicate domain 'same.example' (also in app 'alpha')");
});

test('validation: missing facts, bad source references', () => {
  const e = errorsOf([app('alpha', { facts: [] }), app('beta', { facts: ['@nowhere'] }), app('gamma', { facts: undefined })]);
  assert.match(e, "apps.json: app 'alpha': no facts");
  assert.match(e, "apps.json: app 'beta': fact '@nowhere' names no entry of \"sources\"");
  assert.match(e, "apps.json: app 'gamma': no facts");
});

test('validation: ids, domains, networks, duplicates, nDPI names', () => {
  const e = errorsOf([
    app('YouTube'),
    app('dup'),
    app('dup'),
    app('dom', { domains: ['Upper.example', 'com', 'bad..example', 'x.123'] }),
    app('net', { networks: ['10.0.0.1/8', '10.0.0.0', '16.0.0.0/4', '2001:db8::/200'] }),
    app('net2', { networks: ['192.0.2.0/24'] }),
    app('net3', { networks: ['192.0.2.0/24'] }),
    app('n1', { ndpi: ['Foo'] }),
    app('n2', { ndpi: ['foo'] }),
    app('empty', { domains: [] }),
  ]);
  assert.match(e, "app 'YouTube': id must be lower case");
  assert.match(e, "app 'dup': defined twice");
  assert.match(e, "domain 'Upper.example' must be lower case");
  assert.match(e, "domain 'com' is a shared top-level domain");
  assert.match(e, "domain 'bad..example' has a bad label");
  assert.match(e, "domain 'x.123' ends in a numeric label");
  assert.match(e, "network '10.0.0.1/8' has bits set past its length");
  assert.match(e, "network '10.0.0.0' is not an address/length prefix");
  assert.match(e, "network '16.0.0.0/4' is too wide");
  assert.match(e, "network '2001:db8::/200' is not an address/length prefix");
  assert.match(e, "app 'net3': duplicate network '192.0.2.0/24' (also in app 'net2')");
  assert.match(e, "app 'n2': nDPI name 'foo' already maps to app 'n1'");
  assert.match(e, "app 'empty': no domains, networks or nDPI names");
});

test('validation: categories and protocols files', () => {
  const e = errorsOf([app('alpha')], {
    categories: { categories: [{ tag: 'Web', name: 'Web', facts: ['fixture category'] }, { tag: 'web', name: 'x' }] },
    protocols: { protocols: [{ name: 'TLS', category: 'nope', facts: ['fixture protocol'] }, { name: 'tls', category: 'web', facts: ['x'] }] },
  });
  assert.match(e, "categories.json: category 'Web': tag must be lower case");
  assert.match(e, "categories.json: category 'web': no facts");
  assert.match(e, "protocols.json: protocol 'TLS': unknown category 'nope'");
  assert.match(e, "protocols.json: protocol 'tls': defined twice");
  assert.match(e, "protocols.json: protocol 'tls': fact 'x' is too short");
});

test('validation: malformed documents give errors, not exceptions', () => {
  for (const bad of [null, 42, 'x', [], { apps: {} }, { apps: [null, 7, {}] }]) {
    const r = compileCatalogue({ apps: bad, categories: CATEGORIES, protocols: PROTOCOLS });
    assert.is(r.ok, false);
  }
  const r = compileCatalogue({ apps: { apps: [app('a', { domains: 'x.example', networks: 5, ndpi: [1] })] }, categories: CATEGORIES, protocols: PROTOCOLS });
  assert.is(r.ok, false);
  if (!r.ok) {
    const e = r.errors.join('\n');
    assert.match(e, '"domains" must be a list of strings');
    assert.match(e, '"networks" must be a list of strings');
    assert.match(e, '"ndpi" must be a list of strings');
  }
});

test("a flow without a name takes its server's address app; the client's only if not a hosting platform", () => {
  const appOf = (initiator: string, responder: string): string | null => {
    const engine = new Classifier([], defaultCatalogue, new HintCache());
    const flow: FlowView = {
      ipVersion: 4,
      ipProtocol: 17,
      vlanId: 0,
      initiatorIp: initiator,
      initiatorPort: 40000,
      responderIp: responder,
      responderPort: 40001,
      packets: 1,
      packetsByDir: [1, 0],
    };
    const c = engine.start(flow, 0);
    engine.inspect(c, flow, { dir: 0, payload: Uint8Array.of(1, 2, 3), srcPort: 40000, dstPort: 40001, tcpFlags: 0, tcpSeq: 0, timestamp: 0 });
    engine.finish(c, flow, 0);
    return c.application;
  };
  assert.is(appOf('192.0.2.10', '3.0.0.1'), 'aws', 'a server on AWS');
  assert.is(appOf('3.0.0.1', '192.0.2.10'), null, 'a client on AWS says nothing');
  assert.is(appOf('31.13.64.1', '192.0.2.10'), 'facebook', "a service's own range on the initiator side (capture began with its reply)");
});

test('lookups answer the same again and again (remembered answers never drift)', () => {
  const c = defaultCatalogue;
  const hosts = ['r1---sn-hju7enel.googlevideo.com', 'www.example.org', 'edge-mqtt.facebook.com', 'a.b.c.d.e.f.unknown.test'];
  const first = hosts.map((h) => c.appForHost(h)?.app ?? null);
  assert.equal(first, ['youtube', null, 'messenger', null]);
  for (let i = 0; i < 20_000; i++) assert.is(c.appForHost(hosts[i & 3]!)?.app ?? null, first[i & 3]);
  for (let i = 0; i < 20_000; i++) assert.is(c.appForAddress(i & 1 ? '31.13.64.1' : '2a03:2880:f000::1')?.app, 'facebook');
});

test.run();
