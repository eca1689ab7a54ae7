#!/usr/bin/env node
// Writes luci-app/po/templates/flowsieve.pot: every _('…') (and logic.js's _t('…')) string of the LuCI app's
// JavaScript and the menu titles, as LuCI's i18n-scan would collect them.
//   node scripts/luci-pot.mjs           write the template
//   node scripts/luci-pot.mjs --print   print it (the test compares)
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../luci-app/', import.meta.url).pathname;

function files(dir, ext) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

/** msgid → places it is used. */
export function collect() {
  const found = new Map();
  const add = (id, where) => found.set(id, [...(found.get(id) ?? []), where]);
  for (const f of files(join(root, 'htdocs'), '.js').sort()) {
    const text = readFileSync(f, 'utf8');
    const re = /\b_t?\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\)/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const raw = m[1] ?? m[2];
      const id = raw.replace(/\\(.)/g, '$1');
      add(id, `${relative(root, f)}:${text.slice(0, m.index).split('\n').length}`);
    }
  }
  for (const f of files(join(root, 'root'), '.json').filter((p) => p.includes('menu.d')).sort()) {
    for (const entry of Object.values(JSON.parse(readFileSync(f, 'utf8')))) if (entry.title) add(entry.title, relative(root, f));
  }
  return found;
}

const esc = (s) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function pot() {
  let out = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n';
  for (const [id, where] of collect()) out += `\n#: ${[...new Set(where)].join(' ')}\nmsgid "${esc(id)}"\nmsgstr ""\n`;
  return out;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  if (process.argv[2] === '--print') process.stdout.write(pot());
  else writeFileSync(join(root, 'po/templates/flowsieve.pot'), pot());
}
