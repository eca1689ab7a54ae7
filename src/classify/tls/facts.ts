/**
 * What a TLS/DTLS handshake revealed, and how it becomes the flow record's `ssl` section
 * (Netify's names where Netify has one: version, cipher_suite, client_sni, server_cn,
 * client_ja4; the rest in the same snake_case style).
 */
import type { MetaSection, MetaValue } from '../dissector.js';
import type { ServerCertificate } from './certificate.js';
import { cipherSuiteName } from './cipher-names.js';
import { parseClientHello, type ClientHello } from './client-hello.js';
import { ja4, type Ja4Transport } from './ja4.js';
import type { ServerHello } from './server-hello.js';
import { hex4, tlsVersionName } from './versions.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface TlsFacts {
  clientHello: ClientHello | null;
  /** JA4 of the ClientHello, computed once. */
  ja4: string | null;
  serverHello: ServerHello | null;
  certificate: ServerCertificate | null;
}

export function emptyFacts(): TlsFacts {
  return { clientHello: null, ja4: null, serverHello: null, certificate: null };
}

export function recordClientHello(f: TlsFacts, ch: ClientHello, transport: Ja4Transport): void {
  if (f.clientHello) return; // the first hello counts (a retry repeats it)
  f.clientHello = ch;
  f.ja4 = ch.fingerprintable ? ja4(ch, transport) : null;
}

/**
 * A ClientHello handshake message over TCP (header included) into the facts; false when
 * it does not parse. The message may be a view of a segment: the hello keeps no view of it.
 */
export function recordClientHelloMessage(f: TlsFacts, msg: Uint8Array): boolean {
  const parsed = parseClientHello(msg);
  if (!parsed) return false;
  const ch = parsed.quicTransportParams ? { ...parsed, quicTransportParams: parsed.quicTransportParams.slice() } : parsed;
  recordClientHello(f, ch, 't');
  return true;
}

/**
 * TLS 1.3 was negotiated: it encrypts the certificate, so the ServerHello is the last
 * thing in the clear (0xfeXX are DTLS numbers, never negotiated over TCP).
 */
export function negotiatedTls13(f: TlsFacts): boolean {
  const v = f.serverHello?.version ?? 0;
  return v >= 0x0304 && v >> 8 !== 0xfe;
}

/** The version nDPI reports: the negotiated one once a ServerHello was seen, else the client's. */
export function versionOf(f: TlsFacts): number | null {
  return f.serverHello?.version ?? f.clientHello?.legacyVersion ?? null;
}

/** The `ssl` section; `fixedVersion` overrides (QUIC always runs TLS 1.3). */
export function sslMeta(f: TlsFacts, fixedVersion?: number): MetaSection {
  var m: MetaSection = {};
  var version = fixedVersion ?? versionOf(f);
  if (version !== null) {
    m['version'] = hex4(version);
    m['version_name'] = tlsVersionName(version);
  }
  var sh = f.serverHello;
  if (sh) {
    m['cipher_suite'] = hex4(sh.cipher);
    var name = cipherSuiteName(sh.cipher);
    if (name) m['cipher_name'] = name;
  }
  var ch = f.clientHello;
  if (ch) {
    if (ch.sni !== null) m['client_sni'] = ch.sni;
    if (ch.alpn.length) m['alpn'] = ch.alpn as readonly MetaValue[];
    if (ch.supportedVersions.length) m['supported_versions'] = ch.supportedVersions.map(tlsVersionName);
    if (f.ja4) m['client_ja4'] = f.ja4;
  }
  if (sh?.alpn) m['negotiated_alpn'] = sh.alpn;
  var cert = f.certificate;
  if (cert) {
    if (cert.subjectCn !== null) m['server_cn'] = cert.subjectCn;
    if (cert.subjectDn !== null) m['subject_dn'] = cert.subjectDn;
    if (cert.issuerDn !== null) m['issuer_dn'] = cert.issuerDn;
    if (cert.altNames.length) m['server_names'] = cert.altNames as readonly MetaValue[];
    m['server_cert_fingerprint'] = cert.sha1;
  }
  return m;
}
