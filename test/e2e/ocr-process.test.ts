import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// What a user's process sees of the OCR engine: the run exits by itself, and a missing peer is one clear error.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const projects: Project[] = [];
afterAll(() => Promise.all(projects.map((p) => p.remove())));

const READ_TEST = `import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { Screenshot } from 'vitest-agi';

test('reads the order number', async () => {
  const screenshot = new Screenshot({ bytes: readFileSync('thanks.jpg'), url: 'https://shop.test/thanks', title: 'Thanks' });
  const { text } = await screenshot.text();
  expect(text).toContain('Order #A-20931 is confirmed.');
});
`;

/**
 * A project whose node_modules holds a real copy of vitest-agi (its dist/ and package.json), linked beside everything
 * this repo installed except `without`. A link to the repo itself would not do: Node resolves a package from its real
 * path, and the repo's own node_modules has every peer.
 */
async function projectWithout(without: string[]): Promise<Project> {
  const project = await createProject({ 'test/read.test.ts': READ_TEST, 'thanks.jpg': shot('thanks.jpg') });
  projects.push(project);
  const modules = project.path('node_modules');
  await unlink(modules);
  await mkdir(path.join(modules, 'vitest-agi'), { recursive: true });
  await cp(path.join(repoRoot, 'dist'), path.join(modules, 'vitest-agi', 'dist'), { recursive: true });
  await cp(path.join(repoRoot, 'package.json'), path.join(modules, 'vitest-agi', 'package.json'));
  for (const entry of await readdir(path.join(repoRoot, 'node_modules'))) {
    if (entry.startsWith('.') || entry === 'vitest-agi') continue;
    const scoped = entry.startsWith('@') ? (await readdir(path.join(repoRoot, 'node_modules', entry))).map((name) => `${entry}/${name}`) : [entry];
    for (const name of scoped.filter((n) => !without.includes(n))) {
      await mkdir(path.dirname(path.join(modules, name)), { recursive: true });
      await symlink(path.join(repoRoot, 'node_modules', name), path.join(modules, name));
    }
  }
  return project;
}

/** Runs `node <script>` in `cwd`; kills it after `limitMs` (then `code` is null and `killed` true). */
function runNode(cwd: string, script: string, limitMs: number): Promise<{ code: number | null; killed: boolean; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let killed = false;
    const timer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), limitMs);
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, output, ms: performance.now() - started });
    });
  });
}

describe('the OCR worker leaves nothing behind', () => {
  test('a plain Node script that reads text exits by itself, without stopping the engine', async () => {
    const project = await projectWithout([]);
    const script = `import { readFileSync } from 'node:fs';
import { Screenshot } from './node_modules/vitest-agi/dist/image/screenshot.js';
const screenshot = new Screenshot({ bytes: readFileSync('thanks.jpg'), url: 'u', title: 't' });
const { text } = await screenshot.text();
console.log(JSON.stringify(text));
`;
    await writeFile(project.path('read.mjs'), script);
    // A worker thread that stayed referenced would keep this process alive until the kill (it never exits on its own).
    const run = await runNode(project.dir, 'read.mjs', 45_000);
    expect({ killed: run.killed, code: run.code }, run.output).toEqual({ killed: false, code: 0 });
    expect(JSON.parse(run.output)).toContain('Total charged: $173.50.');
  });

  test.each(['forks', 'threads'])('a Vitest run (pool %s) that reads text passes and exits with code 0', async (pool) => {
    const project = await projectWithout([]);
    const run = await project.run([`--pool=${pool}`]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('1 passed');
    expect(run.output).not.toMatch(/close timed out|hanging|Estimating resolution/i);
  });
});

describe('a missing optional peer', () => {
  test.each([
    ['tesseract.js', 'tesseract.js is not installed'],
    ['@tesseract.js-data/eng', '@tesseract.js-data/eng is not installed'],
  ])('without %s, screenshot.text() fails with OcrUnavailableError naming the install command', async (missing, says) => {
    const project = await projectWithout([missing]);
    await writeFile(project.path('test/read.test.ts'), `import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { OcrUnavailableError, Screenshot } from 'vitest-agi';

test('reads text', async () => {
  const screenshot = new Screenshot({ bytes: readFileSync('thanks.jpg'), url: 'https://shop.test/thanks', title: 'Thanks' });
  const error = await screenshot.text().catch((e) => e);
  expect(error).toBeInstanceOf(OcrUnavailableError);
  console.log('OCR-ERROR ' + JSON.stringify({ name: error.name, code: error.code, message: error.message }));
});
`);
    const run = await project.run();
    expect(run.code, run.output).toBe(0);
    const error = JSON.parse(/OCR-ERROR (.*)/.exec(run.output)![1]!) as { name: string; code: string; message: string };
    expect(error.name).toBe('OcrUnavailableError');
    expect(error.code).toBe('AGI_OCR_UNAVAILABLE');
    expect(error.message).toBe(
      `Reading text from a screenshot needs the optional peer dependencies tesseract.js and @tesseract.js-data/eng, and ${says}. Install both: \`npm install -D tesseract.js @tesseract.js-data/eng\`.`,
    );
  });

  test('the other matchers work without the OCR peers installed', async () => {
    const project = await projectWithout(['tesseract.js', '@tesseract.js-data/eng']);
    await writeFile(project.path('test/read.test.ts'), `import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
test('page check', async () => {
  const capture = { screenshot: 'data:image/jpeg;base64,' + readFileSync('thanks.jpg').toString('base64'), url: 'https://shop.test/thanks', title: 'Thanks' };
  await expect(capture).toBeOnPage(/thanks/);
});
`);
    const run = await project.run();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('1 passed');
  });
});
