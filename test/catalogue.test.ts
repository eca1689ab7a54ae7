import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileCatalogue, type CatalogueSources, type CompiledCatalogue } from '../src/catalogue/compile.js';
import { defaultCatalogue as lazyDefault, defaultCatalogueErrors, loadDefaultCatalogue } from '../src/catalogue/catalogue.js';
import { appIdForNdpiName, categoryForNdpiCategory } from '../src/catalogue/ndpi-names.js';

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
  assert.equal(c.appForHost('www.youtube.com'), { app: 'youtube', category: 'streaming-media' });
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
  assert.equal(c.appForHost('a.video.example.com'), { app: 'child', category: 'streaming-media' });
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

test('lookups are fast enough to run per flow', () => {
  const c = defaultCatalogue;
  const hosts = ['r1---sn-hju7enel.googlevideo.com', 'www.example.org', 'edge-mqtt.facebook.com', 'a.b.c.d.e.f.unknown.test'];
  const n = 200_000;
  let hits = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (c.appForHost(hosts[i & 3]!)) hits++;
  const perHost = ((performance.now() - t0) * 1e6) / n;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) if (c.appForAddress(i & 1 ? '31.13.64.1' : '2a03:2880:f000::1')) hits++;
  const perAddr = ((performance.now() - t1) * 1e6) / n;
  assert.ok(hits > n, 'lookups found their apps');
  // Generous bounds (a loaded CI box); a scan over all entries would be ~100× slower.
  assert.ok(perHost < 20_000, `appForHost ${perHost.toFixed(0)} ns`);
  assert.ok(perAddr < 20_000, `appForAddress ${perAddr.toFixed(0)} ns`);
});

test.run();
