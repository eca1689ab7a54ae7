import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import {
  anonymousSectionName,
  findSection,
  formatUciDiagnostic,
  parseUci,
  sectionRef,
  type UciPackage,
  type UciParseResult,
} from '../src/config/uci-parse.js';
import { quoteUci, writeUci } from '../src/config/uci-write.js';

const FIX = new URL('./fixtures/config/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

/** The model without locations: what `uci show` would print, as data. */
function plain(pkg: UciPackage): unknown {
  return {
    name: pkg.name,
    sections: pkg.sections.map((s) => ({
      type: s.type,
      name: s.name,
      anonymous: s.anonymous,
      options: s.options.map((o) => [o.name, o.value]),
    })),
  };
}

/** `uci -X show` text for a package (what the libuci fixtures recorded). */
function show(pkg: UciPackage): string {
  const q = (v: string): string => `'${v.split("'").join("'\\''")}'`;
  let out = '';
  for (const s of pkg.sections) {
    out += `${pkg.name}.${s.name}=${s.type}\n`;
    for (const o of s.options) {
      out += `${pkg.name}.${s.name}.${o.name}=` + (typeof o.value === 'string' ? q(o.value) : o.value.map(q).join(' ')) + '\n';
    }
  }
  return out;
}

function ok(r: UciParseResult): UciPackage {
  if (!r.ok) throw new Error(`parse failed: ${r.errors.map((e) => formatUciDiagnostic(e)).join('; ')}`);
  return r.package;
}

function errors(r: UciParseResult): string[] {
  assert.is(r.ok, false, 'expected a parse error');
  return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
}

// ------------------------------------------------------------------ statements and values

test('config, option and list with the one-letter forms', () => {
  const pkg = ok(parseUci("c foo n1\no a b\nl c d\nl c 'e'\n", 'p'));
  assert.equal(plain(pkg), {
    name: 'p',
    sections: [{ type: 'foo', name: 'n1', anonymous: false, options: [['a', 'b'], ['c', ['d', 'e']]] }],
  });
});

test('quoting: single quotes literal, double quotes and bare words escape, pieces concatenate', () => {
  const pkg = ok(
    parseUci(
      [
        'config foo',
        "\toption sq 'a\\b\"c'",
        '\toption dq "say \\"hi\\" \\\\ \'x\'"',
        "\toption bare a\\ b\\'c",
        "\toption cat 'a'\"b\"c\\ d",
        "\toption q 'it'\\''s'",
        "\toption hash 'x#y' # a comment",
        '\toption cut foo#bar',
      ].join('\n'),
      'p',
    ),
  );
  const v = Object.fromEntries(pkg.sections[0]!.options.map((o) => [o.name, o.value]));
  assert.equal(v, {
    sq: 'a\\b"c',
    dq: "say \"hi\" \\ 'x'",
    bare: "a b'c",
    cat: 'abc d',
    q: "it's",
    hash: 'x#y',
    cut: 'foo',
  });
});

test('multi-line quotes keep the line break; a trailing backslash joins lines', () => {
  const pkg = ok(parseUci("config foo\noption ml 'one\ntwo'\noption dq \"joined\\\nline\"\noption bare part\\\nrest\n", 'p'));
  const v = Object.fromEntries(pkg.sections[0]!.options.map((o) => [o.name, o.value]));
  assert.equal(v, { ml: 'one\ntwo', dq: 'joinedline', bare: 'partrest' });
  // Locations still count physical lines after a multi-line value.
  assert.is(pkg.sections[0]!.options[1]!.loc.line, 4);
});

test('comments, blank lines and CRLF line ends', () => {
  const pkg = ok(parseUci('# head\r\n\r\nconfig foo\r\n\t# inside\r\n\toption a \'b\'\r\n\tlist c d\r\n', 'p'));
  assert.equal(plain(pkg), {
    name: 'p',
    sections: [{ type: 'foo', name: 'cfg017389', anonymous: true, options: [['a', 'b'], ['c', ['d']]] }],
  });
});

test('anonymous sections get libuci names (counter of all sections + hash of the type)', () => {
  // Names OpenWrt users know from their own routers.
  assert.is(anonymousSectionName(1, 'defaults'), 'cfg01e63d');
  assert.is(anonymousSectionName(2, 'zone'), 'cfg02dc81');
  assert.is(anonymousSectionName(1, 'dnsmasq'), 'cfg01411c');
  const pkg = ok(parseUci('config defaults\nconfig zone\nconfig zone named\nconfig zone\n', 'firewall'));
  assert.equal(
    pkg.sections.map((s) => s.name),
    ['cfg01e63d', 'cfg02dc81', 'named', 'cfg04dc81'],
  );
  assert.equal(
    pkg.sections.map((s) => sectionRef(pkg, s)),
    ['@defaults[0]', '@zone[0]', 'named', '@zone[2]'],
  );
  assert.is(findSection(pkg, '@zone[-1]'), pkg.sections[3]);
  assert.is(findSection(pkg, '@zone[1]')?.name, 'named');
  assert.is(findSection(pkg, '@[0]')?.type, 'defaults');
  assert.is(findSection(pkg, 'named', 'rule'), undefined);
  assert.is(findSection(pkg, '@zone[9]'), undefined);
});

test('a reopened named section merges; option replaces in place; list after option extends it', () => {
  const r = parseUci(
    'config foo n1\noption a x\noption b y\nconfig bar n2\nconfig foo n1\noption a z\nlist b w\noption c v\n',
    'p',
  );
  const pkg = ok(r);
  assert.equal(plain(pkg), {
    name: 'p',
    sections: [
      { type: 'foo', name: 'n1', anonymous: false, options: [['a', 'z'], ['b', ['y', 'w']], ['c', 'v']] },
      { type: 'bar', name: 'n2', anonymous: false, options: [] },
    ],
  });
  assert.ok(r.warnings.some((w) => w.line === 5 && /opened again/.test(w.message)));
  assert.ok(r.warnings.some((w) => w.line === 6 && /"z" replaces "x"/.test(w.message)));
});

test('empty option values are ignored (with a warning); empty list items are kept', () => {
  const r = parseUci("config foo\noption a x\noption a ''\noption b\nlist c ''\nlist c y\n", 'p');
  const pkg = ok(r);
  assert.equal(plain(pkg), {
    name: 'p',
    sections: [{ type: 'foo', name: 'cfg017389', anonymous: true, options: [['a', 'x'], ['c', ['', 'y']]] }],
  });
  assert.is(r.warnings.filter((w) => /empty value/.test(w.message)).length, 2);
});

test("';' after a quoted value separates commands; after a bare word libuci drops the rest", () => {
  const a = ok(parseUci("config foo\noption a 'b'; option c d\n", 'p'));
  assert.equal(a.sections[0]!.options.map((o) => o.name), ['a', 'c']);
  const r = parseUci('config foo\noption a b; option c d\n', 'p');
  const b = ok(r);
  assert.equal(b.sections[0]!.options.map((o) => [o.name, o.value]), [['a', 'b']]);
  assert.ok(r.warnings.some((w) => /ignores the rest of the line/.test(w.message)));
});

test('package line names the package; a later one is ignored with a warning', () => {
  const r = parseUci('package net\nconfig foo\npackage other\n', 'p');
  assert.is(ok(r).name, 'net');
  assert.ok(r.warnings.some((w) => w.line === 3));
  assert.is(ok(parseUci('config foo\n', '/etc/config/flowsieve')).name, 'flowsieve');
});

// ------------------------------------------------------------------ errors

test('errors name file, line and column and say what is wrong', () => {
  const r = parseUci("config foo\noption a 'open\n", '/etc/config/x');
  assert.is(r.ok, false);
  if (!r.ok) {
    assert.is(r.errors[0]!.file, '/etc/config/x');
    assert.is(formatUciDiagnostic(r.errors[0]!), "/etc/config/x:2:10: error: unterminated ' (the quote opened here is never closed)");
  }
  assert.equal(errors(parseUci('option a b\n', 'p')), ['1:1: option/list command found before the first section']);
  assert.equal(errors(parseUci('configx foo\n', 'p')), [
    `1:1: invalid command "configx"; expected 'package', 'config', 'option' or 'list'`,
  ]);
  assert.equal(errors(parseUci('config foo bar baz\n', 'p')), ['1:16: too many arguments (unexpected "baz")']);
  assert.equal(errors(parseUci("config foo 'bad-name'\n", 'p')), [
    `1:12: invalid character in section name "bad-name"; names are letters, digits and '_'`,
  ]);
  assert.equal(errors(parseUci('config foo\noption a.b c\n', 'p')), [
    `2:8: invalid character in option name "a.b"; names are letters, digits and '_'`,
  ]);
  assert.equal(errors(parseUci('config\n', 'p')), ["1:1: insufficient arguments: 'config' needs a section type"]);
  assert.equal(errors(parseUci('config foo n1\nconfig bar n1\n', 'p')), [
    "2:8: section 'n1' of type 'bar' overwrites the earlier section of type 'foo' (line 1)",
  ]);
  assert.ok(errors(parseUci("config foo\noption a 'b';\n", 'p'))[0]!.includes("';' must be followed by another command"));
});

test('every error in the file is reported, and the rest still parses', () => {
  const r = parseUci('config foo\noption a.b x\noption ok yes\nbogus\nconfig bar n\noption c "open\n', 'p');
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.equal(
    r.errors.map((e) => e.line),
    [2, 4, 6],
  );
  assert.equal(plain(r.partial), {
    name: 'p',
    sections: [
      { type: 'foo', name: 'cfg017389', anonymous: true, options: [['ok', 'yes']] },
      { type: 'bar', name: 'n', anonymous: false, options: [] },
    ],
  });
});

test('never throws on arbitrary input', () => {
  const alphabet = ['config', 'option', 'list', 'package', ' ', '\t', '\n', '\r', "'", '"', '\\', '#', ';', 'a', 'b_1', '-', '.', '@', '\0', 'é'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    let text = '';
    const len = rnd(40);
    for (let j = 0; j < len; j++) text += alphabet[rnd(alphabet.length)];
    const r = parseUci(text, 'fuzz');
    assert.type(r.ok, 'boolean');
  }
});

// ------------------------------------------------------------------ libuci's own answers

interface LibuciCase {
  text: string;
  ok: boolean;
  show: string;
  export: string | null;
}
const cases = (JSON.parse(read('libuci-cases.json')) as { cases: LibuciCase[] }).cases;

test(`agrees with libuci on ${cases.length} recorded cases (accept/reject and uci show)`, () => {
  for (const c of cases) {
    const r = parseUci(c.text, 'p');
    assert.is(r.ok, c.ok, `ok for ${JSON.stringify(c.text)}: libuci said ${c.show.trim()}`);
    if (r.ok) assert.is(show(r.package), c.show, `show for ${JSON.stringify(c.text)}`);
  }
});

test('the writer produces what `uci export` writes', () => {
  for (const c of cases) {
    const r = parseUci(c.text, 'p');
    // libuci exports types verbatim (unquoted); we quote types that need it, so skip those.
    if (!r.ok || c.export === null || r.package.sections.some((s) => !/^[A-Za-z0-9_-]+$/.test(s.type))) continue;
    assert.is(writeUci(r.package, { header: true }), c.export, `export of ${JSON.stringify(c.text)}`);
  }
  const sample = ok(parseUci(read('netify-uci-sample.uci'), 'p'));
  assert.is(writeUci(sample, { header: true }), read('netify-uci-sample.export'));
});

// ------------------------------------------------------------------ round trips

function roundTrip(pkg: UciPackage): void {
  const text = writeUci(pkg, { header: true });
  const again = parseUci(text, pkg.file);
  assert.ok(again.ok, `written text does not parse:\n${text}`);
  if (again.ok) {
    assert.equal(plain(again.package), plain(pkg));
    assert.is(again.warnings.length, 0, `warnings on re-parse: ${again.warnings.map((w) => w.message).join('; ')}`);
  }
}

test('parse → write → parse gives the same model (fixtures and recorded cases)', () => {
  roundTrip(ok(parseUci(read('netify-uci-sample.uci'), 'sample')));
  roundTrip(ok(parseUci(readFileSync(new URL('../files/etc/config/flowsieve', import.meta.url), 'utf8'), 'flowsieve')));
  for (const c of cases) {
    const r = parseUci(c.text, 'p');
    if (r.ok) roundTrip(r.package);
  }
});

test('awkward values survive a round trip', () => {
  const awkward = [
    "it's",
    "''",
    '"double"',
    'back\\slash\\',
    '\\n is not a newline',
    'line\nbreak',
    'trailing newline\n',
    '\ncrlf\r\n',
    ' lead and trail ',
    '\ttab',
    '# not a comment',
    'semi; colon;',
    "mix 'a' \"b\" \\c #d ;e",
    'ünïcödé ✓',
    '${path_state_persistent}/nfa-games.d',
    "category == 'games';",
  ];
  const pkg: UciPackage = {
    name: 'p',
    file: 'p',
    sections: [
      {
        type: 'action',
        name: 'a1',
        anonymous: false,
        loc: { line: 1, column: 1 },
        options: awkward.map((v, i) => ({ name: `o${i}`, value: v, loc: { line: 1, column: 1 } })),
      },
      {
        type: 'target',
        name: anonymousSectionName(2, 'target'),
        anonymous: true,
        loc: { line: 1, column: 1 },
        options: [{ name: 'l', value: ['', ...awkward], loc: { line: 1, column: 1 } }],
      },
      { type: 't#pe', name: 'n', anonymous: false, loc: { line: 1, column: 1 }, options: [] },
    ],
  };
  roundTrip(pkg);
});

test('random models survive a round trip', () => {
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const chars = ['a', 'Z', '0', ' ', '\t', '\n', '\r', "'", '"', '\\', '#', ';', '$', '{', 'é'];
  const str = (min: number): string => {
    let s = '';
    const n = min + rnd(12);
    for (let i = 0; i < n; i++) s += chars[rnd(chars.length)];
    return s;
  };
  for (let round = 0; round < 300; round++) {
    const sections: UciPackage['sections'][number][] = [];
    const n = rnd(5);
    for (let i = 0; i < n; i++) {
      const type = ['action', 'target', 'x-y', 'z.w'][rnd(4)]!;
      const anonymous = rnd(2) === 0;
      const options = [];
      const used = new Set<string>();
      for (let j = rnd(4); j > 0; j--) {
        const name = `o${rnd(6)}`;
        if (used.has(name)) continue;
        used.add(name);
        const value = rnd(2) ? str(1) : Array.from({ length: 1 + rnd(3) }, () => str(0));
        options.push({ name, value, loc: { line: 1, column: 1 } });
      }
      sections.push({
        type,
        name: anonymous ? anonymousSectionName(sections.length + 1, type) : `s${i}`,
        anonymous,
        options,
        loc: { line: 1, column: 1 },
      });
    }
    roundTrip({ name: 'p', file: 'p', sections });
  }
});

test('quoteUci', () => {
  assert.is(quoteUci("a'b"), "'a'\\''b'");
  assert.is(quoteUci(''), "''");
});

test.run();
