/**
 * Set elements from flow records, in the byte layouts the kernel takes — pure functions.
 *
 * nft: an element key is the concatenation of the `type` fields, each padded to 4 bytes
 * (nft's register layout); the set's key type is the fields' nft datatype ids joined 6
 * bits apart (nft's concat type), so `nft list set` shows `ipv4_addr . inet_service`.
 * ipset: one 64-byte record per element (layout in native/ipset/ipset.c).
 *
 * Families: a set holds IPv4 or IPv6 keys, never both. With set_family '*', IPv4 flows go
 * to the named set and IPv6 flows to `<name>_v6`; with 'ipv4'/'ipv6', flows of the other
 * family are left out.
 */
import type { SetFamily } from '../config/policy-config.js';
import type { FlowRecord } from '../record/flow-record.js';
import { encodeUtf8 } from '../util/bytes.js';

export type IpFamily = 4 | 6;

/** nftables datatype ids (nftables' `enum datatypes`). */
const NFT_TYPE = { ipv4: 7, ipv6: 8, ether: 9, inetProto: 12, inetService: 13, mark: 19, ifname: 41 } as const;
/** Bits per datatype in a concatenated key type (nftables' TYPE_BITS). */
const TYPE_BITS = 6;
const IFNAMSIZ = 16;

export interface FieldLayout {
  readonly field: string;
  readonly type: number;
  /** Bytes of the value. */
  readonly size: number;
}

export interface NftKeyLayout {
  readonly fields: readonly FieldLayout[];
  /** Key type id for the set (concatenation of the field types). */
  readonly keyType: number;
  /** Key length in bytes (each field padded to 4). */
  readonly keyLen: number;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function fieldLayout(field: string, family: IpFamily): FieldLayout {
  switch (field) {
    case 'local_addr':
    case 'other_addr':
      return family === 4 ? { field, type: NFT_TYPE.ipv4, size: 4 } : { field, type: NFT_TYPE.ipv6, size: 16 };
    case 'local_port':
    case 'other_port':
      return { field, type: NFT_TYPE.inetService, size: 2 };
    case 'ip_proto':
      return { field, type: NFT_TYPE.inetProto, size: 1 };
    case 'local_mac':
    case 'other_mac':
      return { field, type: NFT_TYPE.ether, size: 6 };
    case 'mark':
      return { field, type: NFT_TYPE.mark, size: 4 };
    case 'interface':
      return { field, type: NFT_TYPE.ifname, size: IFNAMSIZ };
    default:
      throw new Error(`nftset: unknown element field '${field}'`);
  }
}

/** The key layout of a set built from `fields` for flows of `family`. */
export function nftKeyLayout(fields: readonly string[], family: IpFamily): NftKeyLayout {
  if (fields.length === 0) throw new Error('nftset: the type list is empty');
  const layouts = fields.map((f) => fieldLayout(f, family));
  let keyType = 0;
  for (const l of layouts) keyType = keyType * (1 << TYPE_BITS) + l.type;
  if (keyType > 0xffffffff) throw new Error('nftset: more than 5 fields in one key');
  return { fields: layouts, keyType, keyLen: layouts.reduce((n, l) => n + pad4(l.size), 0) };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function recordFamily(r: FlowRecord): IpFamily {
  return r.ip_version === 6 ? 6 : 4;
}

/** Writes `text` (dotted IPv4 or IPv6) at `at`; false when it is not an address of `family`. */
export function writeAddress(out: Uint8Array, at: number, text: string, family: IpFamily): boolean {
  if (family === 4) {
    const parts = text.split('.');
    if (parts.length !== 4) return false;
    for (let i = 0; i < 4; i++) {
      const n = Number(parts[i]);
      if (!Number.isInteger(n) || n < 0 || n > 255 || parts[i] === '') return false;
      out[at + i] = n;
    }
    return true;
  }
  const groups = ipv6Groups(text);
  if (!groups) return false;
  for (let i = 0; i < 8; i++) {
    out[at + 2 * i] = groups[i]! >> 8;
    out[at + 2 * i + 1] = groups[i]! & 0xff;
  }
  return true;
}

function ipv6Groups(text: string): number[] | null {
  let s = text.split('%')[0]!;
  let v4: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > 0) {
    // An IPv4 tail (::ffff:192.0.2.1): parsed as two placeholder groups, filled in below.
    v4 = new Uint8Array(4);
    if (!writeAddress(v4, 0, s.slice(lastColon + 1), 4)) return null;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return null;
  const gap = 8 - head.length - rest.length;
  if (halves.length === 2 ? gap < 1 : gap !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? gap : 0).fill(0), ...rest];
  if (v4) all.splice(6, 2, (v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  return all;
}

function writeMac(out: Uint8Array, at: number, text: string | null): boolean {
  if (!text) return false;
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) return false;
  for (let i = 0; i < 6; i++) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i]!)) return false;
    out[at + i] = parseInt(parts[i]!, 16);
  }
  return true;
}

/**
 * Writes the element key of `r` into `out` at `at`. Returns null when done, else the name
 * of the field the record lacks (no MAC on a routed flow, no interface in replay).
 */
export function writeNftKey(out: Uint8Array, at: number, layout: NftKeyLayout, r: FlowRecord): string | null {
  const family = recordFamily(r);
  let o = at;
  out.fill(0, at, at + layout.keyLen);
  for (const f of layout.fields) {
    let ok = true;
    switch (f.field) {
      case 'local_addr':
        ok = writeAddress(out, o, r.local_ip, family);
        break;
      case 'other_addr':
        ok = writeAddress(out, o, r.other_ip, family);
        break;
      case 'local_port':
        out[o] = r.local_port >> 8;
        out[o + 1] = r.local_port & 0xff;
        break;
      case 'other_port':
        out[o] = r.other_port >> 8;
        out[o + 1] = r.other_port & 0xff;
        break;
      case 'ip_proto':
        out[o] = r.ip_protocol;
        break;
      case 'local_mac':
        ok = writeMac(out, o, r.local_mac);
        break;
      case 'other_mac':
        ok = writeMac(out, o, r.other_mac);
        break;
      case 'mark':
        new DataView(out.buffer, out.byteOffset).setUint32(o, r.fwmark >>> 0, HOST_LITTLE_ENDIAN);
        break;
      case 'interface': {
        const name = encodeUtf8(r.interface ?? '');
        ok = name.length > 0 && name.length < IFNAMSIZ;
        if (ok) out.set(name, o);
        break;
      }
    }
    if (!ok) return f.field;
    o += pad4(f.size);
  }
  return null;
}

/** The set a record of `family` goes to, or null when the set takes the other family only. */
export function setNameFor(name: string, setFamily: SetFamily, family: IpFamily): string | null {
  if (setFamily === 'ipv4') return family === 4 ? name : null;
  if (setFamily === 'ipv6') return family === 6 ? name : null;
  return family === 4 ? name : `${name}_v6`;
}

// ------------------------------------------------------------------ ipset

/** Bits of the ipset record's fields (native/ipset/ipset.c FS_IPSET_*). */
export const IPSET_FIELD = { ip: 1, port: 2, ip2: 4, mac: 8 } as const;
export const IPSET_RECORD = 64;

export interface IpsetLayout {
  /** Kernel type name, e.g. `hash:ip,port,ip`. */
  readonly typeName: string;
  readonly fields: number;
  /** hash:mac sets have no address family. */
  readonly familyless: boolean;
}

/**
 * The element layout of an ipset `type`. Which flow field fills each part: `ip` is the
 * other (remote) address, `ip,port` the other address and port, `ip,port,ip` the local
 * address, the other port and the other address, `mac` the local device's MAC.
 */
export function ipsetLayout(type: string): IpsetLayout {
  const m = /^(bitmap|hash|list):(.+)$/.exec(type.trim());
  if (!m) throw new Error(`ipset: type '${type}' is not storage:datatype`);
  if (m[1] !== 'hash') throw new Error(`ipset: only hash types are supported (got '${type}'): bitmap needs a range, list holds sets`);
  const fields = { ip: IPSET_FIELD.ip, 'ip,port': IPSET_FIELD.ip | IPSET_FIELD.port, 'ip,port,ip': IPSET_FIELD.ip | IPSET_FIELD.port | IPSET_FIELD.ip2, mac: IPSET_FIELD.mac }[m[2]!];
  if (fields === undefined) throw new Error(`ipset: datatype '${m[2]}' is not one of ip, ip,port, ip,port,ip, mac`);
  return { typeName: type.trim(), fields, familyless: fields === IPSET_FIELD.mac };
}

/** Fills the 64-byte record at `at`; returns null when done, else the missing field. */
export function writeIpsetRecord(out: Uint8Array, at: number, layout: IpsetLayout, r: FlowRecord, timeoutS: number): string | null {
  const family = recordFamily(r);
  out.fill(0, at, at + IPSET_RECORD);
  out[at] = family === 6 ? 10 : 2;
  out[at + 1] = r.ip_protocol;
  new DataView(out.buffer, out.byteOffset).setUint32(at + 4, timeoutS >>> 0, HOST_LITTLE_ENDIAN);
  const f = layout.fields;
  if (f & IPSET_FIELD.mac) return writeMac(out, at + 40, r.local_mac) ? null : 'local_mac';
  out[at + 2] = r.other_port >> 8;
  out[at + 3] = r.other_port & 0xff;
  const first = f & IPSET_FIELD.ip2 ? r.local_ip : r.other_ip;
  if (!writeAddress(out, at + 8, first, family)) return f & IPSET_FIELD.ip2 ? 'local_addr' : 'other_addr';
  if (f & IPSET_FIELD.ip2 && !writeAddress(out, at + 24, r.other_ip, family)) return 'other_addr';
  return null;
}
