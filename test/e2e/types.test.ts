import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProject, toolchain, type Project, type RunResult } from '../helpers/vitest-project.js';

// test/types/matchers.test-d.ts, type-checked by tsc in a user's project with the toolchain's Vitest: this repo's
// Vitest 4 by default, Vitest 5 (or the packed tarball) when .ci/packed.sh sets VITEST_AGI_TOOLCHAIN.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const DIRECTIVE = /^\s*\/\/ @ts-expect-error(?: -- (.*))?$/;
const VITEST_AGI_IMPORT = /^import .*'vitest-agi(\/setup)?';$/;

const WALKTHROUGH_SETUP = `import type { TestProject } from 'vitest/node';
import { startEmulator } from 'vitest-agi/emulator';

export default async function setup(project: TestProject) {
  const emulator = await startEmulator();
  project.provide('agiBaseUrl', emulator.baseUrl);
  return () => emulator.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    agiBaseUrl: string;
  }
}
`;
const WALKTHROUGH_TEST = `import { afterEach, expect, inject, test } from 'vitest';
import { AgiClient, type Session } from 'vitest-agi';

const agi = new AgiClient({ baseUrl: inject('agiBaseUrl'), apiKey: 'local' });
let session: Session | undefined;
afterEach(async () => {
  await session?.delete();
});

test('the home page', async () => {
  session = await agi.createSession();
  await session.navigate('http://127.0.0.1:3000/');
  await expect(session).toHaveTitle('Home');
  await expect(session).toMatchScreenshot('home');
});
`;

let project: Project;
let source: string;
let vitestVersion: string;

beforeAll(async () => {
  const tools = await toolchain();
  vitestVersion = JSON.parse(await readFile(path.join(tools.nodeModules, 'vitest', 'package.json'), 'utf8')).version;
  source = await readFile(path.join(repoRoot, 'test', 'types', 'matchers.test-d.ts'), 'utf8');
  const tsconfig = await readFile(path.join(repoRoot, 'test', 'types', 'tsconfig.json'), 'utf8');
  const lines = source.split('\n');
  project = await createProject({
    'as-is/tsconfig.json': tsconfig,
    'as-is/matchers.test-d.ts': source,
    // Same line numbers, but every directive is a plain comment: each one's error must now show.
    'no-directives/tsconfig.json': tsconfig,
    'no-directives/matchers.test-d.ts': lines.map((line) => line.replace('// @ts-expect-error', '// expect-error')).join('\n'),
    // Negative control: nothing from vitest-agi is imported, so nothing augments `expect`.
    'no-vitest-agi/tsconfig.json': tsconfig,
    'no-vitest-agi/matchers.test-d.ts': lines.filter((line) => !VITEST_AGI_IMPORT.test(line)).join('\n'),
    // The README's "your own project": a globalSetup that starts the emulator and declares what it provides. Without
    // the DOM lib, as a Node project may be: the emulator's types must not use playwright-core's, which need it.
    'walkthrough/tsconfig.json': tsconfig.replace('"include": ["*.test-d.ts"]', '"include": ["*.ts"]'),
    'walkthrough/global-setup.ts': WALKTHROUGH_SETUP,
    'walkthrough/home.test.ts': WALKTHROUGH_TEST,
  });
});

afterAll(async () => {
  await project?.remove();
});

function runTsc(dir: string, skipLibCheck: boolean): Promise<RunResult> {
  const args = [tsc, '-p', project.path(dir), '--skipLibCheck', String(skipLibCheck), '--pretty', 'false'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: project.dir }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/**
 * tsc's diagnostics for the type test, by line: the code and the innermost reason (for "No overload matches this
 * call", the last overload's). `Assertion<Session>` (Vitest 4) and `Assertion<void, Session>` (5) read the same.
 */
function errorsByLine(output: string): Map<number, string[]> {
  const errors = new Map<number, string[]>();
  let current: { line: number; code: string; reason: string } | undefined;
  const flush = () => {
    if (current) errors.set(current.line, [...(errors.get(current.line) ?? []), `${current.code} ${current.reason.replace(/Assertion<[^']*>/g, 'Assertion<…>')}`]);
  };
  for (const text of output.split('\n')) {
    const start = /matchers\.test-d\.ts\((\d+),\d+\): error (TS\d+): (.*)$/.exec(text);
    if (start) {
      flush();
      current = { line: Number(start[1]), code: start[2]!, reason: start[3]! };
    } else if (current && /^\s+\S/.test(text) && !/^\s+Overload \d+ of \d+/.test(text)) {
      current.reason = text.trim();
    }
  }
  flush();
  return errors;
}

describe('matcher types', () => {
  test.each([true, false])('the type test compiles against the toolchain Vitest with skipLibCheck %s', async (skipLibCheck) => {
    const result = await runTsc('as-is', skipLibCheck);
    expect({ vitest: vitestVersion, ...result }).toEqual({ vitest: vitestVersion, code: 0, output: '' });
  });

  test('every @ts-expect-error stands above a real error of the expected kind, and no other line has one', async () => {
    const result = await runTsc('no-directives', true);
    expect(result.code).not.toBe(0);
    const errors = errorsByLine(result.output);
    const expected: string[] = [];
    const lines = source.split('\n');
    lines.forEach((line, i) => {
      const directive = DIRECTIVE.exec(line);
      // Line i + 1 holds the directive, so tsc's (1-based) line i + 2 is the line it covers.
      if (directive) expected.push(`${directive[1]} → ${errors.get(i + 2)?.join('; ') ?? 'no error'}`);
    });
    expect([...errors.keys()].every((line) => DIRECTIVE.test(lines[line - 2] ?? '')), result.output).toBe(true);
    expect(expected).toMatchInlineSnapshot(`
      [
        "\`thresold\` is no option (excess property) → TS2561 Object literal may only specify known properties, but 'thresold' does not exist in type 'ScreenshotOptions'. Did you mean to write 'threshold'?",
        "\`threshold\` is a number → TS2322 Type 'string' is not assignable to type 'number'.",
        "a name is a string → TS2769 Type '42' has no properties in common with type 'ScreenshotOptions'.",
        "\`thresold\` is no option → TS2769 Object literal may only specify known properties, but 'thresold' does not exist in type 'ScreenshotOptions'. Did you mean to write 'threshold'?",
        "\`threshold\` is a number → TS2769 Type 'string' is not assignable to type 'number'.",
        "\`thresold\` is no option under .not either → TS2769 Object literal may only specify known properties, but 'thresold' does not exist in type 'ScreenshotOptions'. Did you mean to write 'threshold'?",
        "regions are {x, y, width, height} → TS2769 Object literal may only specify known properties, and 'left' does not exist in type 'Region'.",
        "a number is no page expectation → TS2345 Argument of type 'number' is not assignable to parameter of type 'PageExpectation'.",
        "\`path\` is neither \`url\` nor \`title\` → TS2353 Object literal may only specify known properties, and 'path' does not exist in type 'RegExp | { url?: TextExpectation; title?: TextExpectation; }'.",
        "screenshot options do not apply to page matchers → TS2353 Object literal may only specify known properties, and 'threshold' does not exist in type 'PageOptions'.",
        "\`timeout\` is in ms, a number → TS2322 Type 'string' is not assignable to type 'number'.",
        "a URL expectation is a string or RegExp, not an object → TS2353 Object literal may only specify known properties, and 'url' does not exist in type 'RegExp'.",
        "a number is no title → TS2345 Argument of type 'number' is not assignable to parameter of type 'TextExpectation'.",
        "\`timeOut\` is no option → TS2561 Object literal may only specify known properties, but 'timeOut' does not exist in type 'PageOptions'. Did you mean to write 'timeout'?",
        "\`region\` is a rectangle, not a string → TS2322 Type 'string' is not assignable to type 'Region'.",
        "maskText holds strings and RegExps → TS2322 Type 'number' is not assignable to type 'TextPattern'.",
        "not a matcher of ours → TS2551 Property 'toMatchScreenshots' does not exist on type 'Assertion<…>'. Did you mean 'toMatchScreenshot'?",
        "not a matcher of ours → TS2551 Property 'toBeOnPages' does not exist on type 'Assertion<…>'. Did you mean 'toBeOnPage'?",
        "\`snapshotdir\` is misspelt → TS2561 Object literal may only specify known properties, but 'snapshotdir' does not exist in type 'ProjectOptions'. Did you mean to write 'snapshotDir'?",
        "\`threshold\` is a number → TS2322 Type 'string' is not assignable to type 'number'.",
        "the option is \`atLeast\` → TS2561 Object literal may only specify known properties, but 'atleast' does not exist in type 'TrialsOptions'. Did you mean to write 'atLeast'?",
      ]
    `);
  });

  test.each([true, false])("the README walkthrough's globalSetup and test compile without the DOM lib (lib ES2023), skipLibCheck %s", async (skipLibCheck) => {
    const result = await runTsc('walkthrough', skipLibCheck);
    expect({ vitest: vitestVersion, ...result }).toEqual({ vitest: vitestVersion, code: 0, output: '' });
  });

  test('without vitest-agi imported, expect(x) has none of the matchers', async () => {
    const result = await runTsc('no-vitest-agi', true);
    expect(result.code).not.toBe(0);
    for (const matcher of ['toMatchScreenshot', 'toBeOnPage', 'toHaveURL', 'toHaveTitle']) {
      expect(result.output).toContain(`Property '${matcher}' does not exist on type 'Assertion<`);
    }
  });
});
