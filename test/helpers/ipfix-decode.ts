/**
 * An IPFIX decoder written from RFC 7011 for the tests, independent of the encoder: the
 * message header (§3.1), sets (§3.3), template records (§3.4.1), options template
 * records (§3.4.2.2), data records with fixed and variable-length fields (§7), and
 * enterprise-specific elements (§3.2). Templates persist across messages as a collector
 * keeps them per observation domain.
 */
export interface FieldSpec {
  readonly id: number;
  readonly length: number;
  readonly enterprise: number | null;
}

export interface Template {
  readonly id: number;
  readonly fields: readonly FieldSpec[];
  /** Options templates only: how many leading fields are scope fields. */
  readonly scopeCount: number | null;
}

export interface DataRecord {
  readonly template: number;
  /** Field values in template order (raw bytes). */
  readonly values: readonly { readonly field: FieldSpec; readonly bytes: Uint8Array }[];
}

export interface Message {
  readonly version: number;
  readonly length: number;
  readonly exportTime: number;
  readonly sequence: number;
  readonly domain: number;
  readonly templates: Template[];
  readonly records: DataRecord[];
}

export class IpfixCollector {
  readonly templates = new Map<string, Template>();

  decode(b: Uint8Array): Message {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const version = v.getUint16(0);
    const length = v.getUint16(2);
    if (version !== 10) throw new Error(`version ${version}`);
    if (length !== b.length) throw new Error(`length ${length} != ${b.length}`);
    const domain = v.getUint32(12);
    const msg: Message = { version, length, exportTime: v.getUint32(4), sequence: v.getUint32(8), domain, templates: [], records: [] };
    let at = 16;
    while (at < length) {
      const setId = v.getUint16(at);
      const setLen = v.getUint16(at + 2);
      if (setLen < 4 || at + setLen > length) throw new Error(`set length ${setLen} at ${at}`);
      const end = at + setLen;
      let p = at + 4;
      if (setId === 2 || setId === 3) {
        // Records until fewer bytes than a record header remain (padding).
        while (end - p >= (setId === 2 ? 4 : 6)) {
          const id = v.getUint16(p);
          const count = v.getUint16(p + 2);
          let scopeCount: number | null = null;
          p += 4;
          if (setId === 3) {
            scopeCount = v.getUint16(p);
            p += 2;
            if (scopeCount === 0) throw new Error('scope field count 0');
          }
          const fields: FieldSpec[] = [];
          for (let i = 0; i < count; i++) {
            const raw = v.getUint16(p);
            const flen = v.getUint16(p + 2);
            p += 4;
            let enterprise: number | null = null;
            if (raw & 0x8000) {
              enterprise = v.getUint32(p);
              p += 4;
            }
            fields.push({ id: raw & 0x7fff, length: flen, enterprise });
          }
          const t = { id, fields, scopeCount };
          this.templates.set(`${domain}/${id}`, t);
          msg.templates.push(t);
        }
      } else if (setId >= 256) {
        const t = this.templates.get(`${domain}/${setId}`);
        if (!t) throw new Error(`data set ${setId} before its template`);
        const min = t.fields.reduce((n, f) => n + (f.length === 0xffff ? 1 : f.length), 0);
        while (end - p >= min) {
          const values: { field: FieldSpec; bytes: Uint8Array }[] = [];
          for (const f of t.fields) {
            let flen = f.length;
            if (flen === 0xffff) {
              flen = b[p]!;
              p += 1;
              if (flen === 255) {
                flen = v.getUint16(p);
                p += 2;
              }
            }
            values.push({ field: f, bytes: b.subarray(p, p + flen) });
            p += flen;
          }
          if (p > end) throw new Error('record runs past its set');
          msg.records.push({ template: setId, values });
        }
      } else {
        throw new Error(`reserved set id ${setId}`);
      }
      at = end;
    }
    return msg;
  }
}

/** A field's value as an unsigned number (big-endian, up to 8 bytes). */
export function uint(bytes: Uint8Array): number {
  let n = 0;
  for (const x of bytes) n = n * 256 + x;
  return n;
}

export function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? bytes.subarray(0, end) : bytes);
}

export function ipv4(bytes: Uint8Array): string {
  return [...bytes].join('.');
}

/** The first value of element `id` (and enterprise) in a record. */
export function field(r: DataRecord, id: number, enterprise: number | null = null): Uint8Array | undefined {
  return r.values.find((x) => x.field.id === id && x.field.enterprise === enterprise)?.bytes;
}
