import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module a file loads at run time (type-only imports are erased), followed through src/. */
function runtimeImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(path.join(src, file), 'utf8');
    for (const [, specifier] of code.matchAll(/^(?:import|export)(?!\s+type\s)[^;]*?from\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('.')) todo.push(path.join(path.dirname(file), specifier!).replace(/\.js$/, '.ts'));
      else seen.add(specifier!);
    }
  }
  return seen;
}

test('the matchers load neither the HTTP client nor undici (a matcher on a Screenshot needs no network code)', () => {
  const loaded = runtimeImports('matchers/index.ts');
  expect(loaded.has('matchers/poll.ts') && loaded.has('api/session.ts')).toBe(true); // the walk did follow the imports
  expect([...loaded].filter((file) => file === 'api/client.ts' || file.startsWith('undici'))).toEqual([]);
});
