// A bundle step: a function's `let` and `const` become `var` where that cannot change
// what the code does. QuickJS-ng (txiki.js) reads and writes a block-scoped local through
// opcodes that test it for the temporal dead zone on every access and have no short
// forms; a `var` local does not. Measured on corpus x4 under txiki.js, every local made a
// `var` took about 4% off a whole replay's instructions.
//
// A declaration is rewritten only when, within its function:
// - no parameter, var, function, class or catch binding of its name is in the function,
//   and any other let/const of that name sits in a block of its own (none inside another),
//   with every one of them initialised: hoisted, they become one variable, and each block
//   gives it its value before using it;
// - every use of the name lies inside the block the declaration scopes it to, so no use
//   that meant an outer variable can come to mean this one;
// - no function, method or class field inside the function may use the name as a free
//   variable, so no closure can see one variable where each loop turn had its own;
// - it has an initialiser, or is not inside a loop's body (a `let x;` in a loop is
//   undefined again on each turn, a `var x;` keeps the last turn's value);
// - it is not in a switch's cases (a jump to a later case passes over it).
// Top-level declarations are left as they are (esbuild already writes most as `var`).
// `let` becomes `var` and `const` becomes `var  `: the same length, so the source map
// stays right. (The hottest functions also declare `var` in the source, where a closure
// or a name bound twice keeps this step from them.) TypeScript has already rejected a use before its declaration and a write
// to a const, the only other things the keyword changes.
import { parse } from 'acorn';
import { readFile, writeFile } from 'node:fs/promises';

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const SKIPPED_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'raw']);

/** `code` with the qualifying `let`/`const` keywords rewritten, and how many were and were not. */
export function varLocals(code) {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  const edits = [];
  const counts = { converted: 0, kept: 0 };
  analyseScope(program, edits, counts, true);
  edits.sort((a, b) => a.start - b.start);
  const pieces = [];
  let at = 0;
  for (const { start, kind } of edits) {
    if (code.slice(start, start + kind.length) !== kind) throw new Error(`var-locals: no '${kind}' at ${start}`);
    pieces.push(code.slice(at, start), kind === 'let' ? 'var' : 'var  ');
    at = start + kind.length;
  }
  pieces.push(code.slice(at));
  return { code: pieces.join(''), ...counts };
}

/**
 * One function's own scope (or the program's): rewrites its qualifying declarations and
 * returns the names it may use free (those of its nested functions included).
 */
function analyseScope(scope, edits, counts, isProgram) {
  const bindings = new Map(); // name -> how many bindings anywhere in this function's own scope
  const topLevel = new Set(); // names bound at the function's top level (params, var, body-level declarations)
  const refs = new Map(); // name -> positions of its uses in the function's own scope
  const lexical = []; // { decl, scopeNode, inLoop, forHead }
  const nestedFree = new Set();
  const bind = (name, top) => {
    bindings.set(name, (bindings.get(name) ?? 0) + 1);
    if (top) topLevel.add(name);
  };
  const use = (id) => {
    let list = refs.get(id.name);
    if (!list) refs.set(id.name, (list = []));
    list.push(id.start);
  };
  const nested = (node) => {
    for (const name of analyseNested(node, edits, counts)) nestedFree.add(name);
  };

  const body = isProgram ? scope : scope.body;

  // `ancestors`: the nodes from the function's body down to the parent of `node` (one
  // array, pushed and popped: copying it per node made the step take seconds).
  const ancestors = [];
  const within = (node, child) => {
    ancestors.push(node);
    walk(child);
    ancestors.pop();
  };
  function walk(node) {
    if (!node || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'FunctionDeclaration':
        if (node.id) bind(node.id.name, ancestors[ancestors.length - 1] === body || ancestors.length === 0);
        nested(node);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        nested(node);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (node.type === 'ClassDeclaration' && node.id) bind(node.id.name, ancestors[ancestors.length - 1] === body || ancestors.length === 0);
        if (node.superClass) walk(node.superClass);
        for (const member of node.body.body) {
          if (member.computed) walk(member.key);
          // Methods, field initialisers and static blocks run in scopes of their own.
          if (member.type === 'StaticBlock') nested(member);
          else if (member.value) nested(member.value);
        }
        return;
      case 'VariableDeclaration': {
        const top = node.kind === 'var' || ancestors[ancestors.length - 1] === body || ancestors.length === 0;
        ancestors.push(node);
        for (const d of node.declarations) {
          patternNames(d.id, (id) => bind(id.name, top), (expr) => walk(expr));
          if (d.init) within(d, d.init);
        }
        ancestors.pop();
        if (node.kind === 'let' || node.kind === 'const') {
          const parent = ancestors[ancestors.length - 1];
          const forHead = parent !== undefined && (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && parent.left === node;
          lexical.push({ decl: node, scopeNode: scopeOf(ancestors, body), inLoop: inLoopBody(node, ancestors), forHead });
        }
        return;
      }
      case 'CatchClause':
        ancestors.push(node);
        if (node.param) patternNames(node.param, (id) => bind(id.name, false), (expr) => walk(expr));
        walk(node.body);
        ancestors.pop();
        return;
      case 'Identifier':
        use(node);
        return;
      case 'MemberExpression':
        within(node, node.object);
        if (node.computed) within(node, node.property);
        return;
      case 'Property':
      case 'PropertyDefinition':
      case 'MethodDefinition':
        if (node.computed) within(node, node.key);
        within(node, node.value);
        return;
      case 'LabeledStatement':
        within(node, node.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
      case 'ImportDeclaration':
        for (const s of node.specifiers) bind(s.local.name, true);
        return;
      case 'ExportNamedDeclaration':
        if (node.declaration) walk(node.declaration);
        else if (!node.source) for (const s of node.specifiers) use(s.local);
        return;
      case 'ExportAllDeclaration':
        return;
      default:
        ancestors.push(node);
        for (const key of Object.keys(node)) {
          if (SKIPPED_KEYS.has(key)) continue;
          const v = node[key];
          if (Array.isArray(v)) for (const c of v) walk(c);
          else if (v && typeof v.type === 'string') walk(v);
        }
        ancestors.pop();
    }
  }

  if (!isProgram) {
    if (scope.type === 'FunctionExpression' && scope.id) bind(scope.id.name, true);
    for (const p of scope.params) patternNames(p, (id) => bind(id.name, true), (expr) => walk(expr));
  }
  if (isProgram) for (const s of body.body) walk(s);
  else if (body.type === 'BlockStatement') for (const s of body.body) within(body, s);
  else walk(body); // an arrow function's expression body

  if (!isProgram) {
    // Each let/const name with the scopes of its declarations (a minifier gives sibling
    // blocks' variables one name).
    const byName = new Map();
    for (const lex of lexical) {
      for (const d of lex.decl.declarations) {
        patternNames(
          d.id,
          (id) => {
            let list = byName.get(id.name);
            if (!list) byName.set(id.name, (list = []));
            list.push({ lex, initialised: d.init !== null || lex.forHead });
          },
          () => undefined,
        );
      }
    }
    const nameOk = new Map();
    const qualifies = (name) => {
      let ok = nameOk.get(name);
      if (ok !== undefined) return ok;
      const decls = byName.get(name);
      ok = bindings.get(name) === decls.length && !nestedFree.has(name);
      // Several declarations become one variable: each must sit in a block of its own (none
      // inside another) and give the name its value before any use there.
      if (ok && decls.length > 1) {
        for (let i = 0; ok && i < decls.length; i++) {
          const a = decls[i].lex.scopeNode;
          if (!decls[i].initialised) ok = false;
          for (let j = i + 1; ok && j < decls.length; j++) {
            const b = decls[j].lex.scopeNode;
            if (a.start < b.end && b.start < a.end) ok = false;
          }
        }
      }
      // Every use lies in one of the blocks the declarations scope the name to.
      if (ok) {
        for (const at of refs.get(name) ?? []) {
          if (!decls.some(({ lex }) => at >= lex.scopeNode.start && at < lex.scopeNode.end)) {
            ok = false;
            break;
          }
        }
      }
      nameOk.set(name, ok);
      return ok;
    };
    for (const { decl, scopeNode, inLoop, forHead } of lexical) {
      // A switch's cases share one block that a jump can enter past a declaration.
      const ok = scopeNode.type !== 'SwitchStatement' && decl.declarations.every((d) => {
        if (!d.init && !forHead && inLoop) return false;
        let fine = true;
        patternNames(
          d.id,
          (id) => {
            if (!qualifies(id.name)) fine = false;
          },
          () => undefined,
        );
        return fine;
      });
      if (ok) {
        edits.push({ start: decl.start, kind: decl.kind });
        counts.converted++;
      } else counts.kept++;
    }
  }

  const free = new Set();
  for (const name of refs.keys()) if (!topLevel.has(name)) free.add(name);
  for (const name of nestedFree) if (!topLevel.has(name)) free.add(name);
  return free;
}

/** A nested function, static block or class field initialiser: its free names. */
function analyseNested(node, edits, counts) {
  if (FUNCTIONS.has(node.type)) return analyseScope(node, edits, counts, false);
  if (node.type === 'StaticBlock') return analyseScope({ type: 'StaticBlock', params: [], body: { type: 'BlockStatement', body: node.body, start: node.start, end: node.end } }, edits, counts, false);
  // A field initialiser: an expression in a scope of its own.
  return analyseScope({ type: 'FieldInitialiser', params: [], body: node }, edits, counts, false);
}

/** Calls `bound` for each name a binding pattern binds and `expr` for each default value in it. */
function patternNames(p, bound, expr) {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      bound(p);
      return;
    case 'ObjectPattern':
      for (const prop of p.properties) {
        if (prop.type === 'RestElement') patternNames(prop.argument, bound, expr);
        else {
          if (prop.computed) expr(prop.key);
          patternNames(prop.value, bound, expr);
        }
      }
      return;
    case 'ArrayPattern':
      for (const el of p.elements) patternNames(el, bound, expr);
      return;
    case 'RestElement':
      patternNames(p.argument, bound, expr);
      return;
    case 'AssignmentPattern':
      patternNames(p.left, bound, expr);
      expr(p.right);
      return;
    default:
      throw new Error(`var-locals: unexpected binding pattern ${p.type}`);
  }
}

/** The node a let/const declaration scopes its names to. */
function scopeOf(ancestors, body) {
  const parent = ancestors[ancestors.length - 1];
  if (!parent) return body;
  if (parent.type === 'ForStatement' || parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') return parent;
  if (parent.type === 'SwitchCase') return ancestors[ancestors.length - 2];
  return parent;
}

/** Whether the declaration lies in the body of a loop within its function. */
function inLoopBody(decl, ancestors) {
  const path = [...ancestors, decl];
  for (let i = 0; i < path.length - 1; i++) {
    const n = path[i];
    if (LOOPS.has(n.type) && path[i + 1] === n.body) return true;
  }
  return false;
}

/**
 * The step as an esbuild plugin (bundle-options.mjs): rewrites the written bundle in place
 * when the build succeeds. Its source map needs no change (the lengths are kept).
 */
export const varLocalsPlugin = {
  name: 'var-locals',
  setup(b) {
    b.onEnd(async (result) => {
      const outfile = b.initialOptions.outfile;
      if (result.errors.length > 0 || !outfile || b.initialOptions.write === false) return;
      const r = varLocals(await readFile(outfile, 'utf8'));
      await writeFile(outfile, r.code);
    });
  },
};
