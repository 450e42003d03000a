import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// The rules live in src/DEPS.md (one JSON block, so the prose and the check cannot drift apart).
const src = fileURLToPath(new URL('../../src/', import.meta.url));

interface AreaRule {
  /** Areas this one may load at run time. */
  imports: string[];
  /** Areas this one may import types from (erased at run time), besides `imports`. */
  types?: string[];
  /** npm packages this area may import. */
  packages?: string[];
}
interface Rules {
  areas: Record<string, AreaRule>;
  /** Entry files whose whole run-time closure must not contain these files, areas or packages. */
  neverLoads: Record<string, string[]>;
}

export interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
  line: number;
}

export function readRules(markdown: string): Rules {
  const block = /```json\n([\s\S]*?)\n```/.exec(markdown);
  if (!block) throw new Error('src/DEPS.md has no ```json block of rules');
  return JSON.parse(block[1]!) as Rules;
}

/** `api/client.ts` → `api`; a file in src/ itself is its own area (`reporter.ts`). */
export function areaOf(file: string): string {
  const [first, ...rest] = file.split('/');
  return rest.length > 0 ? first! : file;
}

function sourceFiles(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(src, full).split(path.sep).join('/')] : [];
  });
}

/**
 * Static imports and re-exports at the start of a line, and dynamic `import('…')` with a literal specifier, outside
 * comments. `import type` / `export type` are erased; `import { type A }` is not (verbatimModuleSyntax keeps
 * `import {} from`), so it loads the module and counts as a run-time import.
 */
export function parseImports(file: string, code: string): Import[] {
  const imports: Import[] = [];
  const lineAt = (index: number) => code.slice(0, index).split('\n').length;
  for (const match of code.matchAll(/^(import|export)(\s+type\b)?([\w\s{},*$]*?\bfrom\s*|\s+)'([^']+)'/gm)) {
    imports.push({ file, specifier: match[4]!, typeOnly: match[2] !== undefined, line: lineAt(match.index) });
  }
  for (const match of code.matchAll(/^(.*?)\bimport\(\s*'([^']+)'\s*\)/gm)) {
    const before = match[1]!.trimStart();
    if (before.startsWith('//') || before.startsWith('*') || before.startsWith('/*')) continue;
    imports.push({ file, specifier: match[2]!, typeOnly: false, line: lineAt(match.index) });
  }
  return imports;
}

/** The src/ file a relative specifier names (`../image/image.js` → `image/image.ts`), or the package name. */
export function resolveImport(from: string, specifier: string): { file: string } | { pkg: string } {
  if (specifier.startsWith('.')) return { file: path.posix.join(path.posix.dirname(from), specifier).replace(/\.js$/, '.ts') };
  const parts = specifier.split('/');
  return { pkg: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! };
}

/** Every rule an import breaks, as one readable line each. */
export function violations(imports: Import[], rules: Rules): string[] {
  const problems: string[] = [];
  for (const { file, specifier, typeOnly, line } of imports) {
    const area = areaOf(file);
    const rule = rules.areas[area];
    const where = `src/${file}:${line} imports '${specifier}'`;
    if (!rule) {
      problems.push(`${where}: area \`${area}\` has no entry in src/DEPS.md`);
      continue;
    }
    const target = resolveImport(file, specifier);
    if ('pkg' in target) {
      if (target.pkg.startsWith('node:') || (rule.packages ?? []).includes(target.pkg)) continue;
      const allowedBy = Object.entries(rules.areas).filter(([, r]) => r.packages?.includes(target.pkg)).map(([name]) => name);
      problems.push(`${where}: only ${allowedBy.length ? allowedBy.map((a) => `\`${a}\``).join(', ') : 'no area'} may import the package \`${target.pkg}\``);
      continue;
    }
    const targetArea = areaOf(target.file);
    if (targetArea === area) continue;
    if (rule.imports.includes(targetArea)) continue;
    if (typeOnly && (rule.types ?? []).includes(targetArea)) continue;
    const typesToo = (rule.types ?? []).includes(targetArea) ? ' (types only: use `import type`)' : '';
    problems.push(`${where}: \`${area}\` may not import \`${targetArea}\`${typesToo}; it may import ${rule.imports.map((a) => `\`${a}\``).join(', ') || 'nothing in src/'}`);
  }
  return problems;
}

/** Each run-time import cycle once, as `a.ts → b.ts → a.ts`. */
export function cycles(imports: Import[]): string[] {
  const graph = new Map<string, string[]>();
  for (const { file, specifier, typeOnly } of imports) {
    const target = resolveImport(file, specifier);
    if (typeOnly || !('file' in target)) continue;
    graph.set(file, [...(graph.get(file) ?? []), target.file]);
  }
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      const loop = stack.slice(stack.indexOf(file));
      const start = loop.indexOf([...loop].sort()[0]!);
      const canonical = [...loop.slice(start), ...loop.slice(0, start)];
      found.add([...canonical, canonical[0]].join(' → '));
      return;
    }
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) visit(file);
  return [...found];
}

/** What an entry file loads at run time, files and packages, followed through src/. */
export function runtimeClosure(entry: string, imports: Import[]): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier } of imports.filter((i) => i.file === file && !i.typeOnly)) {
      const target = resolveImport(file, specifier);
      if ('file' in target) todo.push(target.file);
      else seen.add(target.pkg);
    }
  }
  return seen;
}

/** Files or packages in an entry's closure that it must never load (an entry in the list is a file, an area or a package). */
export function forbiddenLoads(entry: string, never: string[], imports: Import[]): string[] {
  const loaded = runtimeClosure(entry, imports);
  return [...loaded].filter((item) => never.includes(item) || (item.endsWith('.ts') && never.includes(`${areaOf(item)}/`))).map((item) => `src/${entry} loads ${item}, which src/DEPS.md says it never loads`);
}

const rules = readRules(readFileSync(path.join(src, 'DEPS.md'), 'utf8'));
const files = sourceFiles();
const imports = files.flatMap((file) => parseImports(file, readFileSync(path.join(src, file), 'utf8')));

describe('src/ imports follow src/DEPS.md', () => {
  test('the parser sees every kind of import (else the rules below would pass on nothing)', () => {
    const seen = parseImports('x/a.ts', [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      'import {',
      '  c,',
      "} from '../c/c.js';",
      "export { d } from './d.js';",
      "export type { E } from './e.js';",
      "import 'side-effect';",
      "const f = await import('../f/f.js');",
      " * import { g } from 'in-a-comment';",
      "// await import('./in-a-comment.js')",
    ].join('\n'));
    expect(seen.map(({ specifier, typeOnly }) => `${typeOnly ? 'type ' : ''}${specifier}`)).toEqual([
      './a.js', 'type ../b/b.js', '../c/c.js', './d.js', 'type ./e.js', 'side-effect', '../f/f.js',
    ]);
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.some((i) => i.specifier === './commands/report.js')).toBe(true); // cli.ts's dynamic import
  });

  test('every file belongs to an area with rules', () => {
    expect(files.map(areaOf).filter((area) => !rules.areas[area])).toEqual([]);
  });

  test('no file imports an area or a package its area may not', () => {
    expect(violations(imports, rules)).toEqual([]);
  });

  test('a forbidden import is reported with the file, the import and the rule', () => {
    const bad = parseImports('emulator/server.ts', "import { AgiError } from '../errors.js';\nimport { request } from 'undici';");
    expect(violations(bad, rules)).toMatchInlineSnapshot(`
      [
        "src/emulator/server.ts:1 imports '../errors.js': \`emulator\` may not import \`errors.ts\`; it may import nothing in src/",
        "src/emulator/server.ts:2 imports 'undici': only \`api\` may import the package \`undici\`",
      ]
    `);
  });

  test('the emulator takes nothing from outside itself but the API’s wire types, and those as types only', () => {
    const outside = imports.filter((i) => areaOf(i.file) === 'emulator' && i.specifier.startsWith('.') && !('file' in resolveImport(i.file, i.specifier) && areaOf((resolveImport(i.file, i.specifier) as { file: string }).file) === 'emulator'));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.filter((i) => !i.typeOnly || (resolveImport(i.file, i.specifier) as { file: string }).file !== 'api/wire.ts').map((i) => `src/${i.file}:${i.line} imports '${i.specifier}'`)).toEqual([]);
  });

  test('no run-time import cycles', () => {
    expect(cycles(imports)).toEqual([]);
    const loop = [...parseImports('a/x.ts', "import { y } from '../b/y.js';"), ...parseImports('b/y.ts', "import { x } from '../a/x.js';")];
    expect(cycles(loop)).toEqual(['a/x.ts → b/y.ts → a/x.ts']);
  });

  test.each(Object.entries(rules.neverLoads))('%s never loads what DEPS.md rules out', (entry, never) => {
    expect(files).toContain(entry);
    expect(runtimeClosure(entry, imports).size).toBeGreaterThan(1); // the walk did follow the imports
    expect(forbiddenLoads(entry, never, imports)).toEqual([]);
  });
});
