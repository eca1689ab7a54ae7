/**
 * Reading the OpenWrt feed for tests, independently of the make run that builds it: a
 * package Makefile's variables and `define` blocks as text, what its install recipe
 * promises (paths and modes), and an .ipk taken apart with tar.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface MakefileText {
  readonly vars: ReadonlyMap<string, string>;
  readonly defines: ReadonlyMap<string, string>;
}

/** Top-level assignments (continuations joined) and define bodies; conditionals ignored. */
export function readMakefile(path: string): MakefileText {
  const vars = new Map<string, string>();
  const defines = new Map<string, string>();
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const def = /^\s*define\s+(\S+)\s*$/.exec(lines[i]!);
    if (def) {
      const body: string[] = [];
      let depth = 1;
      for (i++; i < lines.length; i++) {
        if (/^\s*define\s/.test(lines[i]!)) depth++;
        if (/^\s*endef\b/.test(lines[i]!) && --depth === 0) break;
        body.push(lines[i]!);
      }
      defines.set(def[1]!, body.join('\n'));
      continue;
    }
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
    const a = /^([A-Za-z0-9_./-]+)\s*(?::=|\?=|=)\s*(.*)$/.exec(line);
    if (a) vars.set(a[1]!, a[2]!.trim());
  }
  return { vars, defines };
}

/** `$(NAME)` references replaced from the Makefile's own variables (as far as they go). */
export function expand(mk: MakefileText, text: string): string {
  for (let n = 0; n < 8; n++) {
    const next = text.replace(/\$\(([A-Za-z0-9_]+)\)/g, (m, name: string) => mk.vars.get(name) ?? m);
    if (next === text) break;
    text = next;
  }
  return text;
}

/** `NAME:=value` fields of a `define Package/<name>` block, continuations joined. */
export function packageFields(body: string): Map<string, string> {
  const fields = new Map<string, string>();
  const joined = body.replace(/\\\n\s*/g, ' ');
  for (const line of joined.split('\n')) {
    const f = /^\s*([A-Z]+):=(.*)$/.exec(line);
    if (f) fields.set(f[1]!, f[2]!.trim());
  }
  return fields;
}

/** DEPENDS as a router with firewall4 gets it: build conditions and fw3-only packages out. */
export function runtimeDepends(depends: string): string[] {
  const out: string[] = [];
  for (const token of depends.split(/\s+/).filter(Boolean)) {
    if (token.startsWith('@') || token.startsWith('+@')) continue;
    const dep = token.replace(/^\+/, '');
    const cond = /^(!?)([A-Za-z0-9_]+):(.+)$/.exec(dep);
    if (!cond) out.push(dep);
    else if ((cond[2] === 'PACKAGE_firewall4') !== (cond[1] === '!')) out.push(cond[3]!);
  }
  return out;
}

export interface PromisedFile {
  /** Path on the router; may end in a `*` glob from the recipe. */
  readonly path: string;
  readonly mode: number;
}

const INSTALL_MODES: Record<string, number> = { INSTALL_BIN: 0o755, INSTALL_DATA: 0o644, INSTALL_CONF: 0o600 };

/** The files a `define Package/<name>/install` recipe puts in the package. */
export function promisedFiles(recipe: string): PromisedFile[] {
  const files: PromisedFile[] = [];
  for (const line of recipe.split('\n')) {
    const m = /^\s*\$\((INSTALL_BIN|INSTALL_DATA|INSTALL_CONF)\)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const dest = m[3]!.replace('$(1)', '');
    const base = m[2]!.split('/').pop()!;
    files.push({ path: dest.endsWith('/') ? dest + base : dest, mode: INSTALL_MODES[m[1]!]! });
  }
  return files;
}

/** luci.mk's layout: htdocs/ under /www, root/ under /, modes as checked out. */
export function luciLayout(dir: string): PromisedFile[] {
  const out: PromisedFile[] = [];
  const walk = (from: string, to: string) => {
    let names: string[];
    try {
      names = readdirSync(from);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(from, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, `${to}/${name}`);
      else out.push({ path: `${to}/${name}`, mode: st.mode & 0o777 });
    }
  };
  walk(join(dir, 'htdocs'), '/www');
  walk(join(dir, 'root'), '');
  return out;
}

export interface TarEntry {
  readonly path: string;
  readonly mode: number;
  readonly type: 'file' | 'dir' | 'link';
  readonly size: number;
  readonly owner: string;
}

/** `tar -tv` of a gzip'd tar given as bytes. */
export function listTarGz(bytes: Uint8Array): TarEntry[] {
  const out = execFileSync('tar', ['--numeric-owner', '-tvzf', '-'], { input: bytes, encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [perm, owner, size, , , ...rest] = line.split(/\s+/);
      const path = rest.join(' ').replace(/ -> .*$/, '');
      const type = perm![0] === 'd' ? 'dir' : perm![0] === 'l' ? 'link' : 'file';
      let mode = 0;
      for (let i = 1; i < 10; i++) if (perm![i] !== '-') mode |= 1 << (9 - i);
      return { path, mode, type, size: Number(size), owner: owner! };
    });
}

/** One member of a gzip'd tar. */
export function tarMember(bytes: Uint8Array, member: string): Buffer {
  return execFileSync('tar', ['-xzOf', '-', member], { input: bytes, maxBuffer: 64 << 20 });
}

export interface Ipk {
  readonly outer: TarEntry[];
  readonly debianBinary: string;
  readonly control: Map<string, string>;
  readonly controlFiles: Map<string, Buffer>;
  readonly controlEntries: TarEntry[];
  readonly data: TarEntry[];
}

/** An .ipk taken apart: outer members, control fields and files, the data listing. */
export function readIpk(path: string): Ipk {
  const bytes = readFileSync(path);
  const outer = listTarGz(bytes);
  const controlTar = tarMember(bytes, './control.tar.gz');
  const controlEntries = listTarGz(controlTar);
  const controlFiles = new Map<string, Buffer>();
  for (const e of controlEntries) if (e.type === 'file') controlFiles.set(e.path.replace(/^\.\//, ''), tarMember(controlTar, e.path));
  const control = new Map<string, string>();
  let last = '';
  for (const line of controlFiles.get('control')!.toString('utf8').split('\n')) {
    const f = /^([A-Za-z-]+): ?(.*)$/.exec(line);
    if (f) control.set((last = f[1]!), f[2]!);
    else if (line.startsWith(' ') && last) control.set(last, `${control.get(last)}\n${line.slice(1)}`);
  }
  return {
    outer,
    debianBinary: tarMember(bytes, './debian-binary').toString('utf8'),
    control,
    controlFiles,
    controlEntries,
    data: listTarGz(tarMember(bytes, './data.tar.gz')),
  };
}

export const relativeToRoot = (p: string) => relative(ROOT, p);
