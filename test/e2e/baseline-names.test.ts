import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, toolchain, type Project } from '../helpers/vitest-project.js';

// Baseline names → files, as a user sees them in real Vitest runs: names that shared one file under 0.1 each get
// their own, and a snapshots folder committed under 0.1 keeps passing, then moves to the new names with -u.
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'] } });
`;
const capture = `
import { readFileSync } from 'node:fs';
const capture = (file) => ({ screenshot: 'data:image/' + (file.endsWith('.png') ? 'png' : 'jpeg') + ';base64,' + readFileSync('fixtures/' + file).toString('base64'), url: 'http://shop.test/' + file, title: file });
`;
const FIXTURES = ['docs.jpg', 'form.jpg', 'thanks.jpg', 'docs-edited.jpg', 'docs-640x360.jpg', 'docs.png'];
const fixtures = Object.fromEntries(FIXTURES.map((file) => [`fixtures/${file}`, shot(file)]));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const folder = 'snapshots/test/shop.test.ts';

async function listFolder(project: Project): Promise<string[]> {
  return (await readdir(project.path(folder))).sort();
}

describe('names that 0.1 filed under one file', () => {
  // Each pair (or trio) shared one file in 0.1, so the two tests fought over it and -u destroyed one page's baseline.
  const SHOP_TEST = `import { describe, expect, test } from 'vitest';${capture}
test('slash', async () => { await expect(capture('docs.jpg')).toMatchScreenshot('a/b'); });
test('dash', async () => { await expect(capture('form.jpg')).toMatchScreenshot('a-b'); });
test('Title case', async () => { await expect(capture('thanks.jpg')).toMatchScreenshot('Home'); });
test('lower case', async () => { await expect(capture('docs-edited.jpg')).toMatchScreenshot('home'); });
describe('checkout', () => {
  test('done', async () => { await expect(capture('docs-640x360.jpg')).toMatchScreenshot(); });
});
test('checkout done', async () => { await expect(capture('docs.png')).toMatchScreenshot(); });
`;
  let project: Project;
  beforeAll(async () => {
    project = await createProject({ 'vitest.config.ts': CONFIG, 'test/shop.test.ts': SHOP_TEST, ...fixtures });
  });
  afterAll(() => project?.remove());

  test('each get their own file, distinct even case-insensitively, holding their own page', async () => {
    const first = await project.run();
    expect(first.code, first.output).toBe(0);
    const images = (await listFolder(project)).filter((file) => !file.endsWith('.json'));
    expect(images).toEqual([
      'Home--3a786953.jpg',
      'a-b--c14cddc0.jpg',
      'a-b.jpg',
      'checkout-done-1--ad2c9de9.png',
      'checkout-done-1--f5974a3d.jpg',
      'home.jpg',
    ]);
    expect(new Set(images.map((file) => file.toLowerCase())).size).toBe(images.length);
    expect(await project.read(`${folder}/a-b--c14cddc0.jpg`)).toEqual(shot('docs.jpg'));
    expect(await project.read(`${folder}/a-b.jpg`)).toEqual(shot('form.jpg'));
    expect(await project.read(`${folder}/checkout-done-1--f5974a3d.jpg`)).toEqual(shot('docs-640x360.jpg'));
  });

  test('`vitest -u` then passes every test and rewrites none of them', async () => {
    const files = (await listFolder(project)).map((file) => project.path(`${folder}/${file}`));
    const before = await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
    const updated = await project.run(['-u']);
    expect(updated.code, updated.output).toBe(0);
    expect(await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs))).toEqual(before);
    const results = JSON.parse((await project.read('.vitest-agi/results.json')).toString());
    expect(results.assertions.map((a: { outcome: string }) => a.outcome)).toEqual(Array(6).fill('matched'));
  });
});

describe('a snapshots folder committed under 0.1', () => {
  // 0.1's files: "checkout done 1" → checkout-done-1.jpg, "Home" → Home.jpg, "a-b" → a-b.jpg, the file "a/b"
  // shared with "a-b" under 0.1 (it shows a-b's page). Each with the sidecar 0.1 wrote.
  const SHOP_TEST = `import { expect, test } from 'vitest';${capture}
test('checkout done', async () => { await expect(capture('docs.jpg')).toMatchScreenshot(); });
test('home', async () => { await expect(capture('form.jpg')).toMatchScreenshot('Home'); });
test('dash', async () => { await expect(capture('thanks.jpg')).toMatchScreenshot('a-b'); });
test('slash', async () => { await expect(capture('docs-edited.jpg')).toMatchScreenshot('a/b'); });
`;
  const sidecar = (file: string) =>
    `${JSON.stringify({ url: `http://shop.test/${file}`, title: file, width: 1280, height: 720, sha256: sha(shot(file)), capturedAt: '2026-11-20T10:00:00.000Z', vitestAgi: '0.1.0' }, null, 2)}\n`;
  const old = {
    'checkout-done-1.jpg': shot('docs.jpg'),
    'checkout-done-1.jpg.json': sidecar('docs.jpg'),
    'Home.jpg': shot('form.jpg'),
    'Home.jpg.json': sidecar('form.jpg'),
    'a-b.jpg': shot('thanks.jpg'),
    'a-b.jpg.json': sidecar('thanks.jpg'),
  };
  // Temp files of a run killed mid-write: one from long ago, one that may belong to a write in progress.
  const staleTemp = 'Home.jpg.4242.deadbeef.tmp';
  const freshTemp = 'Home.jpg.4243.cafebabe.tmp';
  let project: Project;

  beforeAll(async () => {
    const files: Record<string, string | Buffer> = { 'vitest.config.ts': CONFIG, 'test/shop.test.ts': SHOP_TEST, ...fixtures };
    for (const [file, content] of Object.entries(old)) files[`${folder}/${file}`] = content;
    files[`${folder}/${staleTemp}`] = shot('form.jpg').subarray(0, 100);
    files[`${folder}/${freshTemp}`] = shot('form.jpg').subarray(0, 100);
    project = await createProject(files);
    const longAgo = new Date(Date.now() - 60 * 60_000);
    await utimes(project.path(`${folder}/${staleTemp}`), longAgo, longAgo);
  });
  afterAll(() => project?.remove());

  async function prune(args: string[] = []) {
    const tools = await toolchain();
    const child = spawn(tools.node, [path.join(tools.nodeModules, 'vitest-agi', 'dist', 'cli.js'), 'prune', ...args], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
    return { code, stdout: stdout.replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '<date>') };
  }

  test('passes in CI without re-recording: each name reads its 0.1 file, and nothing is written', async () => {
    // In CI "a/b" has no file of its own: a-b.jpg is a-b's, so it is not taken as a/b's baseline.
    await project.write('test/shop.test.ts', SHOP_TEST.replace(/^test\('slash'.*$/m, ''));
    const ci = await project.run([], { CI: 'true' });
    expect(ci.code, ci.output).toBe(0);
    expect(await listFolder(project)).toEqual([...Object.keys(old), freshTemp].sort());
    const results = JSON.parse((await project.read('.vitest-agi/results.json')).toString());
    expect(results.assertions.map((a: { outcome: string; baseline: string }) => `${a.outcome} ${a.baseline}`)).toEqual([
      `matched ${folder}/checkout-done-1.jpg`,
      `matched ${folder}/Home.jpg`,
      `matched ${folder}/a-b.jpg`,
    ]);
    await project.write('test/shop.test.ts', SHOP_TEST);
  });

  test('a local run writes a baseline only for the name whose 0.1 file belongs to another name', async () => {
    const local = await project.run();
    expect(local.code, local.output).toBe(0);
    expect(await project.read(`${folder}/a-b--c14cddc0.jpg`)).toEqual(shot('docs-edited.jpg'));
    expect(await project.read(`${folder}/a-b.jpg`)).toEqual(shot('thanks.jpg'));
    expect((await prune()).stdout).toMatch(/^Nothing to prune: all 4 baselines in snapshots were used/);
  });

  test('`vitest -u` copies each 0.1 baseline to its new name with its sidecar, byte for byte, and prune then removes the old files', async () => {
    const updated = await project.run(['-u']);
    expect(updated.code, updated.output).toBe(0);
    expect(await project.read(`${folder}/checkout-done-1--ad2c9de9.jpg`)).toEqual(old['checkout-done-1.jpg']);
    expect((await project.read(`${folder}/checkout-done-1--ad2c9de9.jpg.json`)).toString()).toBe(old['checkout-done-1.jpg.json']);
    expect(await project.read(`${folder}/Home--3a786953.jpg`)).toEqual(old['Home.jpg']);
    expect((await project.read(`${folder}/Home--3a786953.jpg.json`)).toString()).toBe(old['Home.jpg.json']);

    const next = await project.run([], { CI: 'true' });
    expect(next.code, next.output).toBe(0);
    const listed = await prune(['--delete']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(
      'Deleted: 2 of 6 baselines (and provenance sidecars) that no assertion used in the last complete run (.vitest-agi/results.json, <date>):\n\n' +
        ['Home.jpg', 'Home.jpg.json', 'checkout-done-1.jpg', 'checkout-done-1.jpg.json'].map((file) => `  ${folder}/${file}\n`).join(''),
    );
    expect(await listFolder(project)).toEqual(
      ['Home--3a786953.jpg', 'Home--3a786953.jpg.json', 'a-b--c14cddc0.jpg', 'a-b--c14cddc0.jpg.json', 'a-b.jpg', 'a-b.jpg.json', 'checkout-done-1--ad2c9de9.jpg', 'checkout-done-1--ad2c9de9.jpg.json', freshTemp].sort(),
    );
    const last = await project.run([], { CI: 'true' });
    expect(last.code, last.output).toBe(0);
  });
});
