// What is measured: the six assertion paths, which capture each one is served and which it is compared with,
// and the files (our JPEG baselines, the reference's PNG baselines) each needs on disk.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PAGES, SIZES, TITLES, withClaimedSize } from './pages.mjs';
import { referenceBaseline } from './reference.mjs';
import { recordBaseline, TEST_FILE } from './ours.mjs';

/**
 * served / baseline: which capture of the page (pages.mjs) the API returns and which one is stored.
 * `steps`: the library calls this path makes in our pipeline, in order (ours.mjs createSteps).
 * `expect`: the verdict the path must reach ('pass', 'fail', or 'threw' for an error thrown at the boundary).
 */
export const CASES = [
  { name: 'pass-unchanged', served: 'again', baseline: 'base', isNot: false, expect: 'pass', steps: ['fetch', 'base64', 'read', 'equals', 'remove'] },
  { name: 'pass-noise', served: 'caretB', baseline: 'caretA', isNot: false, expect: 'pass', steps: ['fetch', 'base64', 'read', 'equals', 'decodeBaseline', 'decodeActual', 'compare', 'remove'] },
  {
    name: 'fail-changed', served: 'changed', baseline: 'base', isNot: false, expect: 'fail',
    steps: ['fetch', 'base64', 'read', 'equals', 'decodeBaseline', 'decodeActual', 'compare', 'compareWithDiff', 'encode', 'write'],
  },
  { name: 'not-changed', served: 'changed', baseline: 'base', isNot: true, expect: 'pass', steps: ['fetch', 'base64', 'read', 'equals', 'decodeBaseline', 'decodeActual', 'compare', 'remove'] },
  { name: 'refuse-bomb', served: 'bomb', baseline: 'base', isNot: false, expect: 'threw', pages: ['text'], steps: ['fetch', 'base64'] },
  { name: 'page-only', served: 'base', baseline: undefined, matcher: 'toBeOnPage', pageExpectation: 'bench.example', expect: 'pass', steps: ['fetch'] },
];

export const BOMB_SIDE = 60_000;

export const sessionId = (page, size, variant) => `${page}-${size}-${variant}`;
export const baselineName = (c, page, size) => `${c.name}-${page}-${size}`;
export const casePages = (c) => c.pages ?? PAGES;

/** Every (case, size, page) measured. */
export function allRuns() {
  return CASES.flatMap((c) => SIZES.flatMap((size) => casePages(c).map((page) => ({ c, size: size.name, page }))));
}

/** Files of one run: our baseline and artefacts, the reference's baseline and diff. */
export function runFiles(root, { c, size, page }) {
  const name = baselineName(c, page, size);
  const out = path.join(root, '.vitest-agi', TEST_FILE);
  return {
    name,
    sessionId: sessionId(page, size, c.served),
    baseline: path.join(root, 'snapshots', TEST_FILE, `${name}.jpg`),
    actual: path.join(out, `${name}-actual.jpg`),
    diff: path.join(out, `${name}-diff.png`),
    baselinePng: path.join(root, 'reference', `${name}.png`),
    referenceDiff: path.join(root, 'reference-out', `${name}-diff.png`),
  };
}

/** The API server's sessions: every capture of every page, plus a header bomb made from each text page. */
export function apiSessions(shots) {
  const sessions = {};
  for (const [size, pages] of Object.entries(shots)) {
    for (const [page, captures] of Object.entries(pages)) {
      const meta = { url: `https://bench.example/${page}`, title: TITLES[page] };
      for (const [variant, image] of Object.entries(captures)) sessions[sessionId(page, size, variant)] = { image, ...meta };
      sessions[sessionId(page, size, 'bomb')] = { image: withClaimedSize(captures.base, BOMB_SIDE, BOMB_SIDE), ...meta };
    }
  }
  return sessions;
}

/**
 * Stores our baselines by running the matcher once against the baseline capture (so the files on disk are exactly
 * what a user's first run writes), and the reference's PNG baselines (decoded pixels, pngjs defaults).
 */
export async function writeBaselines(root, shots, baseUrl) {
  const pngs = new Map();
  for (const run of allRuns()) {
    if (!run.c.baseline) continue;
    const files = runFiles(root, run);
    await recordBaseline({ root, baseUrl, sessionId: sessionId(run.page, run.size, run.c.baseline), name: files.name });
    const key = `${run.size}/${run.page}/${run.c.baseline}`;
    if (!pngs.has(key)) pngs.set(key, referenceBaseline(shots[run.size][run.page][run.c.baseline]));
    await mkdir(path.dirname(files.baselinePng), { recursive: true });
    await writeFile(files.baselinePng, pngs.get(key));
  }
}
