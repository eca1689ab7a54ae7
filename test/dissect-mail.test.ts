/**
 * SMTP, POP3, IMAP and FTP control connections and their STARTTLS upgrades. The dialogues
 * are the RFCs' own examples (RFC 5321 appendix D, RFC 3207 §4.2, RFC 1939 §10,
 * RFC 2595 §4, RFC 9051 §6.2.1, RFC 4217 §4) or close to them; the TLS bytes after an
 * upgrade are the ClientHello/ServerHello fixtures of the TLS tests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { L4Packet } from '../src/classify/dissector.js';
import { DISSECTORS_BY_PRECEDENCE as allDissectors } from '../src/classify/precedence.js';

/** The mail and file-transfer control family. */
const mailTransferDissectors = allDissectors.filter((d) => ['smtp', 'imap', 'pop3', 'ftp_control'].includes(d.name));
import { Classifier } from '../src/classify/engine.js';
import { HintCache } from '../src/classify/hints.js';
import { ftpDissector } from '../src/classify/mail/ftp.js';
import { imapDissector } from '../src/classify/mail/imap.js';
import { LineReader, MAX_LINE } from '../src/classify/mail/lines.js';
import { pop3Dissector } from '../src/classify/mail/pop3.js';
import { smtpDissector } from '../src/classify/mail/smtp.js';
import type { Direction } from '../src/flow/types.js';
import { ALL_FIXTURES, ascii, fixture as namingFixture, flowView, run, type FlowSpec, type Sent } from './fixtures/naming/harness.js';
import { fixture as peerFixture, PEER_FIXTURES, randomPayloads } from './fixtures/peer/harness.js';
import { packets } from './fixtures/secure/packets.js';
import { mutate, Rng } from './helpers/fuzz.js';

const C = 0 as const;
const S = 1 as const;
type Line = readonly [Direction, string | Uint8Array];

/** A dialogue as packets, each direction's sequence numbers running on from its last byte. */
function dialogue(...lines: Line[]): Sent[] {
  const next = [1_000_000, 7_000_000];
  return lines.map(([dir, p]) => {
    const payload = typeof p === 'string' ? ascii(p) : p;
    const seq = next[dir]!;
    next[dir] = (seq + payload.length) >>> 0;
    return { dir, payload, seq };
  });
}

const spec = (serverPort: number): FlowSpec => ({ proto: 6, client: '192.0.2.10', clientPort: 51000, server: '198.51.100.25', serverPort });
/** A port no mail protocol is known by: detection must not depend on ports. */
const ANY = spec(40123);

const TLS13 = packets('tls-chrome-tls13');
const CLIENT_HELLO = TLS13[0]!.payload;
const SERVER_HELLO_13 = TLS13[1]!.payload;
const TLS12 = packets('tls-github-tls12');

const MAIL = [smtpDissector, pop3Dissector, imapDissector, ftpDissector];
const claimedBy = (sent: Sent[], s: FlowSpec = ANY) => MAIL.filter((d) => run(d, s, sent).out.protocol !== null).map((d) => d.name);

// --- SMTP ----------------------------------------------------------------------------------

/** RFC 5321 appendix D.1, greeting and EHLO. */
const SMTP_EHLO = dialogue(
  [S, '220 Foo.COM Simple Mail Transfer Service Ready\r\n'],
  [C, 'EHLO bar.com\r\n'],
  [S, '250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n'],
  [C, 'MAIL FROM:<Smith@bar.com>\r\n'],
);

test('SMTP: the 220 greeting then EHLO claims the flow, on any port; host name is the greeting\'s domain, lower-cased', () => {
  const r = run(smtpDissector, ANY, SMTP_EHLO);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.protocol, 'SMTP');
  assert.is(r.out.hostname, 'foo.com');
  // The mail transaction starts: no STARTTLS can follow (RFC 3207 §4.2), so the dissector is done.
  assert.equal(r.steps, ['more', 'more', 'more', 'done']);
  assert.equal(r.out.meta['smtp'], { banner: '220 Foo.COM Simple Mail Transfer Service Ready', ehlo: 'bar.com', starttls: false });
});

test('SMTP: HELO works as EHLO; a multi-line greeting repeats the code and its first line names the domain', () => {
  const r = run(smtpDissector, ANY, dialogue(
    [S, '220-mx.example.org ESMTP Exim 4.96\r\n220-We do not authorize the use of this system\r\n220 to transport unsolicited mail\r\n'],
    [C, 'HELO client.example.net\r\n'],
  ));
  assert.is(r.claimedAt, 2);
  assert.is(r.out.hostname, 'mx.example.org');
  assert.is(r.out.meta['smtp']!['ehlo'], 'client.example.net');
  // A line without the code inside the greeting is not SMTP (RFC 5321 §4.2.1).
  assert.is(run(smtpDissector, ANY, dialogue([S, '220-mx.example.org\r\nwelcome\r\n220 ok\r\n'], [C, 'EHLO a\r\n'])).out.protocol, null);
});

test('SMTP: a greeting that says ESMTP is enough on the mail ports, not elsewhere', () => {
  const greeting = dialogue([S, '220 smtp.example.com ESMTP Postfix (Debian/GNU)\r\n']);
  for (const port of [25, 587, 2525]) {
    const r = run(smtpDissector, spec(port), greeting);
    assert.is(r.claimedAt, 1, `port ${port}`);
    assert.is(r.out.hostname, 'smtp.example.com');
    assert.equal(r.out.meta['smtp'], { banner: '220 smtp.example.com ESMTP Postfix (Debian/GNU)', starttls: false });
  }
  assert.equal(run(smtpDissector, ANY, greeting).steps, ['more']);
  // Claimed on the greeting, the dissector stays for the client's EHLO.
  const later = run(smtpDissector, spec(25), [...greeting, ...dialogue([C, 'EHLO client.example\r\n']).map((p) => ({ ...p, seq: 1 }))]);
  assert.is(later.out.meta['smtp']!['ehlo'], 'client.example');
  // A greeting that names no protocol waits for the client even on port 25.
  assert.equal(run(smtpDissector, spec(25), dialogue([S, '220 mail.example.com ready\r\n'])).steps, ['more']);
});

test('SMTP: a greeting split over segments, and its CR LF split, is still read', () => {
  const r = run(smtpDissector, ANY, dialogue([S, '220 mail.exa'], [S, 'mple.com ESMTP\r'], [S, '\n'], [C, 'EH'], [C, 'LO me\r\n']));
  assert.is(r.claimedAt, 5);
  assert.is(r.out.hostname, 'mail.example.com');
});

// --- FTP and its disambiguation from SMTP -------------------------------------------------

test('FTP: the 220 greeting then USER claims FTP_CONTROL; SMTP does not', () => {
  const sent = dialogue([S, '220 (vsFTPd 3.0.3)\r\n'], [C, 'USER anonymous\r\n'], [S, '331 Please specify the password.\r\n']);
  const r = run(ftpDissector, ANY, sent);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.protocol, 'FTP_CONTROL');
  assert.is(r.out.hostname, null);
  // USER: the login has begun in the clear, no AUTH TLS will follow (RFC 4217 §4).
  assert.equal(r.steps, ['more', 'done']);
  assert.equal(claimedBy(sent), ['ftp_control']);
});

test('SMTP or FTP: the same plain 220 greeting is told apart by the client\'s first command, both ways', () => {
  const greeting: Line = [S, '220 service ready\r\n'];
  assert.equal(claimedBy(dialogue(greeting, [C, 'EHLO client.example\r\n'])), ['smtp']);
  for (const first of ['USER ftp', 'AUTH TLS', 'FEAT', 'SYST', 'OPTS UTF8 ON', 'PASV']) {
    assert.equal(claimedBy(dialogue(greeting, [C, `${first}\r\n`])), ['ftp_control'], first);
  }
  // NOOP and HELP exist in both: they decide nothing, the next command does.
  assert.equal(claimedBy(dialogue(greeting, [C, 'NOOP\r\n'], [S, '200 ok\r\n'])), []);
  assert.equal(claimedBy(dialogue(greeting, [C, 'NOOP\r\n'], [S, '250 OK\r\n'], [C, 'EHLO x\r\n'])), ['smtp']);
  assert.equal(claimedBy(dialogue(greeting, [C, 'HELP\r\n'], [S, '214 ok\r\n'], [C, 'USER x\r\n'])), ['ftp_control']);
  // SMTP's AUTH needs EHLO first (RFC 4954 §4); AUTH PLAIN as a first command proves neither.
  assert.equal(claimedBy(dialogue(greeting, [C, 'AUTH PLAIN\r\n'])), []);
  // Commands neither protocol has.
  assert.equal(claimedBy(dialogue(greeting, [C, 'GET / HTTP/1.1\r\n'])), []);
});

test('SMTP or FTP: before the client speaks, the greeting text decides on the standard port only', () => {
  const ftpGreeting = dialogue([S, '220 ProFTPD Server (Debian) [203.0.113.5]\r\n']);
  assert.equal(claimedBy(ftpGreeting, spec(21)), ['ftp_control']);
  assert.equal(claimedBy(ftpGreeting, spec(25)), []);
  assert.equal(claimedBy(ftpGreeting, ANY), []);
  const smtpGreeting = dialogue([S, '220 mx.example.com ESMTP\r\n']);
  assert.equal(claimedBy(smtpGreeting, spec(25)), ['smtp']);
  assert.equal(claimedBy(smtpGreeting, spec(21)), []);
  // A text naming both decides nothing: the client's command will.
  const both = dialogue([S, '220 ftp.example.com ESMTP\r\n']);
  assert.equal(claimedBy(both, spec(21)), []);
  assert.equal(claimedBy(both, spec(25)), []);
  assert.equal(claimedBy(dialogue([S, '220 ftp.example.com ESMTP\r\n'], [C, 'EHLO me\r\n']), spec(21)), ['smtp']);
  // On port 21, a mail server's greeting with a USER after it is FTP all the same.
  assert.equal(claimedBy(dialogue([S, '220 mx.example.com ESMTP\r\n'], [C, 'USER bob\r\n']), spec(21)), ['ftp_control']);
});

test('FTP: 120 before 220, and a multi-line greeting whose middle lines are free text (RFC 959 §4.2, §5.4)', () => {
  const r = run(ftpDissector, ANY, dialogue(
    [S, '120 Service ready in 1 minute\r\n'],
    [S, '220-Welcome to the archive\r\n  Mirrors: see /pub\r\n220 Ready\r\n'],
    [C, 'USER anonymous\r\n'],
  ));
  assert.is(r.claimedAt, 3);
  assert.is(r.out.protocol, 'FTP_CONTROL');
  // A 421 greeting refuses the connection.
  assert.is(run(ftpDissector, ANY, dialogue([S, '421 Too many users\r\n'], [C, 'USER x\r\n'])).out.protocol, null);
});

// --- POP3 ----------------------------------------------------------------------------------

test('POP3: "+OK" then USER, APOP, CAPA, STLS or AUTH claims the flow', () => {
  for (const first of ['USER mrose', 'APOP mrose c4c9334bac560ecc979e58001b3e22fb', 'CAPA', 'STLS', 'AUTH PLAIN', 'user mrose']) {
    const r = run(pop3Dissector, ANY, dialogue([S, '+OK Dovecot ready.\r\n'], [C, `${first}\r\n`]));
    assert.is(r.claimedAt, 2, first);
    assert.is(r.out.protocol, 'POP3', first);
    assert.is(r.out.hostname, null);
  }
  // A greeting naming POP3 is enough on port 110 (RFC 1939 §10).
  const greeting = dialogue([S, '+OK POP3 server ready <1896.697170952@dbc.mindspring.com>\r\n']);
  assert.is(run(pop3Dissector, spec(110), greeting).claimedAt, 1);
  assert.is(run(pop3Dissector, ANY, greeting).claimedAt, 0);
  // Not POP3: an error greeting, commands of other protocols, USER without a name.
  assert.is(run(pop3Dissector, ANY, dialogue([S, '-ERR go away\r\n'], [C, 'USER x\r\n'])).claimedAt, 0);
  assert.is(run(pop3Dissector, ANY, dialogue([S, '+OK\r\n'], [C, 'EHLO x\r\n'])).claimedAt, 0);
  assert.is(run(pop3Dissector, ANY, dialogue([S, '+OK\r\n'], [C, 'USER\r\n'])).claimedAt, 0);
});

// --- IMAP ----------------------------------------------------------------------------------

test('IMAP: "* OK" or "* PREAUTH" then a tagged CAPABILITY, LOGIN, STARTTLS, AUTHENTICATE or ID claims the flow', () => {
  for (const first of ['a001 CAPABILITY', 'A1 login joe secret', 'x STARTTLS', '1 AUTHENTICATE PLAIN', 'a ID NIL']) {
    const r = run(imapDissector, ANY, dialogue([S, '* OK Dovecot ready.\r\n'], [C, `${first}\r\n`]));
    assert.is(r.claimedAt, 2, first);
    assert.is(r.out.protocol, 'IMAP', first);
  }
  assert.is(run(imapDissector, ANY, dialogue([S, '* PREAUTH IMAP4rev2 server logged in as Smith\r\n'], [C, 'a1 capability\r\n'])).claimedAt, 2);
  // The capability list in the greeting names IMAP: enough on port 143.
  const greeting = dialogue([S, '* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n']);
  assert.is(run(imapDissector, spec(143), greeting).claimedAt, 1);
  assert.is(run(imapDissector, ANY, greeting).claimedAt, 0);
  // "* BYE" refuses; an untagged command, or one with a '+' in its tag, is no IMAP client.
  assert.is(run(imapDissector, ANY, dialogue([S, '* BYE Autologout\r\n'], [C, 'a CAPABILITY\r\n'])).claimedAt, 0);
  assert.is(run(imapDissector, ANY, dialogue([S, '* OK hi\r\n'], [C, 'CAPABILITY\r\n'])).claimedAt, 0);
  assert.is(run(imapDissector, ANY, dialogue([S, '* OK hi\r\n'], [C, 'a+ CAPABILITY\r\n'])).claimedAt, 0);
});

// --- STARTTLS ------------------------------------------------------------------------------

/** The TLS 1.3 handshake (ClientHello, ServerHello) after an accepted upgrade. */
const TLS13_AFTER: Line[] = [[C, CLIENT_HELLO], [S, SERVER_HELLO_13]];

function assertTls13(meta: { [k: string]: unknown } | undefined): void {
  assert.ok(meta, 'ssl section');
  assert.is(meta['client_sni'], 'www.iit.cnr.it');
  assert.is(meta['client_ja4'], 't13d1516h2_8daaf6152771_e5627efa2ab1');
  assert.equal(meta['alpn'], ['h2', 'http/1.1']);
  assert.is(meta['version_name'], 'TLSv1.3');
  assert.is(meta['cipher_suite'], '0x1302');
}

/** RFC 3207 §4.2's example, then TLS. */
const SMTP_STARTTLS = dialogue(
  [S, '220 mail.imc.org SMTP service ready\r\n'],
  [C, 'EHLO mail.example.com\r\n'],
  [S, '250-mail.imc.org offers a warm hug of welcome\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 DSN\r\n'],
  [C, 'STARTTLS\r\n'],
  [S, '220 Go ahead\r\n'],
  ...TLS13_AFTER,
);

test('SMTP STARTTLS: accepted with 220, the flow becomes SMTPS and the ClientHello fills the ssl section', () => {
  const r = run(smtpDissector, ANY, SMTP_STARTTLS);
  assert.is(r.claimedAt, 2);
  assert.equal(r.steps, ['more', 'more', 'more', 'more', 'more', 'more', 'done']);
  assert.is(r.out.protocol, 'SMTPS');
  assert.equal(r.out.meta['smtp'], { banner: '220 mail.imc.org SMTP service ready', ehlo: 'mail.example.com', starttls: true });
  assertTls13(r.out.meta['ssl']);
  // The greeting's domain stays the host name; the SNI is in the ssl section.
  assert.is(r.out.hostname, 'mail.imc.org');
});

test('SMTP STARTTLS: refused (454), the flow stays SMTP and the dissection ends', () => {
  const r = run(smtpDissector, ANY, dialogue(
    [S, '220 mail.imc.org SMTP service ready\r\n'],
    [C, 'EHLO mail.example.com\r\n'],
    [S, '250 mail.imc.org\r\n'],
    [C, 'STARTTLS\r\n'],
    [S, '454 TLS not available due to temporary reason\r\n'],
  ));
  assert.equal(r.steps, ['more', 'more', 'more', 'more', 'done']);
  assert.is(r.out.protocol, 'SMTP');
  assert.is(r.out.meta['smtp']!['starttls'], false);
  assert.is(r.out.meta['ssl'], undefined);
});

test('SMTP STARTTLS: the reply is found by counting replies, a TLS 1.2 handshake brings the certificate', () => {
  // EHLO's reply arrives after STARTTLS was sent: the 250 answers EHLO, the 220 STARTTLS.
  const r = run(smtpDissector, ANY, dialogue(
    [S, '220 Relay.Example.NET ESMTP\r\n'],
    [C, 'EHLO a.example\r\n'],
    [C, 'STARTTLS\r\n'],
    [S, '250-relay.example.net\r\n250 STARTTLS\r\n'],
    [S, '220 2.0.0 Ready to start TLS\r\n'],
    ...TLS12.map((p): Line => [p.dir, p.payload]),
  ));
  assert.is(r.out.protocol, 'SMTPS');
  assert.is(r.out.hostname, 'relay.example.net');
  const ssl = r.out.meta['ssl']!;
  assert.is(ssl['client_sni'], 'github.com');
  assert.is(ssl['server_cn'], 'github.com');
  assert.is(ssl['version_name'], 'TLSv1.2');
  assert.is(r.steps[r.steps.length - 1], 'done');
});

test('STARTTLS: a retransmitted command, a ClientHello split over segments or seen before the go-ahead are read right', () => {
  const sent = dialogue(
    [S, '220 mail.example.com ESMTP\r\n'],
    [C, 'EHLO me\r\n'],
    [S, '250 mail.example.com\r\n'],
    [C, 'STARTTLS\r\n'],
    [S, '220 Go ahead\r\n'],
    [C, CLIENT_HELLO.subarray(0, 100)],
    [C, CLIENT_HELLO.subarray(100)],
  );
  const starttls = sent[3]!;
  // The STARTTLS segment again (same sequence number) before the ClientHello.
  const withRetransmission = [...sent.slice(0, 5), { ...starttls }, ...sent.slice(5)];
  // The capture holds the ClientHello before the server's go-ahead.
  const helloFirst = [...sent.slice(0, 4), ...sent.slice(5), sent[4]!];
  for (const packets of [sent, withRetransmission, helloFirst]) {
    const r = run(smtpDissector, ANY, packets);
    assert.is(r.out.protocol, 'SMTPS');
    assert.is(r.out.meta['ssl']!['client_sni'], 'www.iit.cnr.it');
  }
});

test('POP3 STLS (RFC 2595 §4): "+OK" switches to POPS, and the SNI becomes the host name', () => {
  const r = run(pop3Dissector, ANY, dialogue(
    [S, '+OK POP3 server ready\r\n'],
    [C, 'CAPA\r\n'],
    [S, '+OK Capability list follows\r\nTOP\r\nUSER\r\nSTLS\r\n.\r\n'],
    [C, 'STLS\r\n'],
    [S, '+OK Begin TLS negotiation\r\n'],
    ...TLS13_AFTER,
  ));
  assert.is(r.claimedAt, 2);
  assert.is(r.out.protocol, 'POPS');
  assertTls13(r.out.meta['ssl']);
  // POP3 names no host: the ClientHello's name is the flow's (as for TLS).
  assert.is(r.out.hostname, 'www.iit.cnr.it');
  assert.is(r.steps[r.steps.length - 1], 'done');
  // Refused: "-ERR".
  const refused = run(pop3Dissector, ANY, dialogue([S, '+OK\r\n'], [C, 'STLS\r\n'], [S, '-ERR not now\r\n']));
  assert.is(refused.out.protocol, 'POP3');
  assert.equal(refused.steps, ['more', 'more', 'done']);
});

test('IMAP STARTTLS (RFC 9051 §6.2.1): the tagged OK switches to IMAPS; untagged lines are no answer', () => {
  const r = run(imapDissector, ANY, dialogue(
    [S, '* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED] Server ready\r\n'],
    [C, 'a001 CAPABILITY\r\n'],
    [S, '* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED\r\na001 OK CAPABILITY completed\r\n'],
    [C, 'a002 STARTTLS\r\n'],
    [S, '* OK still here\r\n'],
    [S, 'a002 OK Begin TLS negotiation now\r\n'],
    ...TLS13_AFTER,
  ));
  assert.is(r.out.protocol, 'IMAPS');
  assertTls13(r.out.meta['ssl']);
  assert.is(r.out.hostname, 'www.iit.cnr.it');
  const refused = run(imapDissector, ANY, dialogue([S, '* OK\r\n'], [C, 'a STARTTLS\r\n'], [S, 'a BAD no\r\n']));
  assert.is(refused.out.protocol, 'IMAP');
  assert.equal(refused.steps, ['more', 'more', 'done']);
});

test('FTP AUTH TLS (RFC 4217 §4): 234 switches to FTPS; FEAT before it is answered first', () => {
  const r = run(ftpDissector, ANY, dialogue(
    [S, '220-Welcome\r\n220 FileZilla Server 1.8.0\r\n'],
    [C, 'FEAT\r\n'],
    [S, '211-Features:\r\n MDTM\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n'],
    [C, 'AUTH TLS\r\n'],
    [S, '234 AUTH command ok. Expecting TLS Negotiation.\r\n'],
    ...TLS13_AFTER,
  ));
  assert.is(r.claimedAt, 2);
  assert.is(r.out.protocol, 'FTPS');
  assertTls13(r.out.meta['ssl']);
  const refused = run(ftpDissector, ANY, dialogue([S, '220 ftp\r\n'], [C, 'AUTH TLS\r\n'], [S, '504 Unknown\r\n']));
  assert.is(refused.out.protocol, 'FTP_CONTROL');
  assert.equal(refused.steps, ['more', 'more', 'done']);
});

// --- Through the engine -------------------------------------------------------------------

/** Feed a dialogue to the engine with every dissector, as the pipeline does. */
function classify(s: FlowSpec, sent: Sent[]) {
  const engine = new Classifier(allDissectors, null, new HintCache());
  const counts: [number, number] = [0, 0];
  const flow = () => ({ ...flowView(s, counts[0] + counts[1]), packetsByDir: [counts[0], counts[1]] as const });
  const c = engine.start(flow(), 0);
  for (const p of sent) {
    counts[p.dir]++;
    const pkt: L4Packet = {
      dir: p.dir,
      payload: p.payload,
      srcPort: p.dir === 0 ? s.clientPort : s.serverPort,
      dstPort: p.dir === 0 ? s.serverPort : s.clientPort,
      tcpFlags: 0x18,
      tcpSeq: p.seq ?? 0,
      timestamp: 1_700_000_000_000,
    };
    engine.inspect(c, flow(), pkt);
  }
  return c;
}

test('through the engine: TLS and the other dissectors leave the upgrade to the mail dissector', () => {
  for (const port of [25, 587, 40123]) {
    const c = classify(spec(port), SMTP_STARTTLS);
    assert.is(c.detection.protocol, 'SMTPS', `port ${port}`);
    assert.is(c.detection.hostname, 'mail.imc.org');
    assert.is(c.detection.meta['ssl']!['client_sni'], 'www.iit.cnr.it');
    assert.is(c.faults, 0);
    assert.ok(c.complete);
  }
  assert.is(classify(spec(21), dialogue([S, '220 (vsFTPd 3.0.3)\r\n'], [C, 'USER anonymous\r\n'])).detection.protocol, 'FTP_CONTROL');
  assert.is(classify(ANY, dialogue([S, '* OK ready\r\n'], [C, 'a1 CAPABILITY\r\n'])).detection.protocol, 'IMAP');
  assert.is(classify(ANY, dialogue([S, '+OK ready\r\n'], [C, 'CAPA\r\n'])).detection.protocol, 'POP3');
  // A plain TLS flow on a mail port is still the TLS dissector's.
  assert.is(classify(spec(587), [{ dir: 0, payload: CLIENT_HELLO, seq: 1 }]).detection.protocol, 'SMTPS');
  assert.is(classify(spec(587), [{ dir: 0, payload: CLIENT_HELLO, seq: 1 }]).detection.meta['smtp'], undefined);
});

// --- Never claimed -------------------------------------------------------------------------

test('not mail: HTTP, SSH, TLS, other families\' payloads, random bytes', () => {
  const notMail: Sent[][] = [
    dialogue([C, 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'], [S, 'HTTP/1.1 200 OK\r\n\r\n']),
    dialogue([S, 'HTTP/1.1 220 Odd\r\n\r\n'], [C, 'EHLO x\r\n']),
    dialogue([S, 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'], [C, 'SSH-2.0-OpenSSH_9.6\r\n']),
    dialogue([C, CLIENT_HELLO], [S, SERVER_HELLO_13]),
    // The client speaks first: these protocols' servers do (RFC 5321 §3.1, RFC 1939 §4, …).
    dialogue([C, 'EHLO x\r\n'], [S, '220 mail.example.com ESMTP\r\n']),
    dialogue([C, 'a1 CAPABILITY\r\n'], [S, '* OK\r\n']),
  ];
  for (const sent of notMail) {
    for (const port of [25, 21, 110, 143, 40123]) assert.equal(claimedBy(sent, spec(port)), [], new TextDecoder().decode(sent[0]!.payload));
  }
  for (const name of ALL_FIXTURES) {
    const p = namingFixture(name);
    assert.equal(claimedBy(dialogue([S, p], [C, p], [S, p])), [], name);
  }
  for (const name of PEER_FIXTURES) {
    const p = peerFixture(name);
    assert.equal(claimedBy(dialogue([S, p], [C, p], [S, p])), [], name);
  }
  for (const p of randomPayloads(400, 77)) assert.equal(claimedBy(dialogue([S, p], [C, p])), []);
});

test('not mail: a "220" line on a flow whose client sends no matching command', () => {
  for (const client of ['GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n', 'SSH-2.0-OpenSSH_9.6\r\n', 'hello\r\n', 'QUIT\r\n', 'RSET\r\n', 'HELO\r\n']) {
    for (const port of [25, 21, 40123]) assert.equal(claimedBy(dialogue([S, '220 OK\r\n'], [C, client]), spec(port)), [], client);
  }
  // A greeting that never ends, or one with bytes no text line holds, is dropped early.
  const endless = run(smtpDissector, ANY, dialogue([S, `220 ${'x'.repeat(MAX_LINE + 10)}`]));
  assert.equal(endless.steps, ['no']);
  assert.equal(run(smtpDissector, ANY, dialogue([S, '220 mail\x00.example.com\r\n'])).steps, ['no']);
  assert.equal(run(smtpDissector, ANY, dialogue([S, '220 mail.example.com\n'], [C, 'EHLO x\n'])).steps, ['no']);
  assert.equal(run(smtpDissector, ANY, dialogue([S, '220 \xe9t\xe9\r\n'])).steps, ['no']);
  // A server that greets and greets, while the client says nothing: given up after a few packets.
  const chatty = run(smtpDissector, ANY, dialogue(...Array.from({ length: 20 }, (): Line => [S, '220 again\r\n'])));
  assert.ok(chatty.steps.length <= 8 && chatty.steps[chatty.steps.length - 1] === 'no');
});

test('the line reader: CR LF only, printable ASCII and HT, bounded', () => {
  const r = new LineReader();
  r.push(1, ascii('220 a\tb\r\n250 x'));
  assert.is(r.next(), '220 a\tb');
  assert.is(r.next(), null);
  r.push(15, ascii('\r\n'));
  assert.is(r.next(), '250 x');
  assert.is(r.seqAtOffset(), 17);
  assert.is(r.rest().length, 0);
  const bare = new LineReader();
  bare.push(1, ascii('a\rb\r\n'));
  assert.is(bare.next(), null);
  assert.ok(bare.bad);
});

test('truncated prefixes and mutated dialogues never throw', () => {
  const dialogues = [SMTP_EHLO, SMTP_STARTTLS, dialogue([S, '* OK\r\n'], [C, 'a STARTTLS\r\n'], [S, 'a OK\r\n'], ...TLS13_AFTER)];
  for (const sent of dialogues) {
    for (let n = 0; n <= sent.length; n++) {
      const head = sent.slice(0, n);
      const last = sent[n];
      for (const cut of last ? [0, 1, 3, last.payload.length >> 1, last.payload.length - 1] : [0]) {
        const packets = last ? [...head, { ...last, payload: last.payload.subarray(0, cut) }] : head;
        for (const d of mailTransferDissectors) run(d, ANY, packets);
      }
    }
  }
  const rng = new Rng(2024);
  const all = dialogues.flat().map((p) => p.payload);
  for (let i = 0; i < 3000; i++) {
    const sent = dialogues[i % dialogues.length]!.map((p) => ({ ...p, payload: rng.below(3) === 0 ? mutate(rng, p.payload, all[rng.below(all.length)]!) : p.payload }));
    for (const d of mailTransferDissectors) run(d, spec([25, 21, 110, 143][i % 4]!), sent);
  }
});

test.run();
