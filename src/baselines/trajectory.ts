import path from 'node:path';
import { UnreadableBaselineError } from '../errors.js';
import { escapeNetworkText } from '../text/network-text.js';
import { baselineFileStem, readFileIfPresent, testFileFolder } from './baseline.js';

/**
 * A trajectory snapshot: the distinct pages a run passed through, stored as
 * `snapshots/<test file>/<name>.trajectory.json`, beside the test's screenshot baselines and under the same rules.
 */
export const TRAJECTORY_EXTENSION = '.trajectory.json';

/** One page of a stored trajectory: its normalised URL and its title, as the file holds them. */
export interface TrajectoryStep {
  url: string;
  title: string;
}

/** Which query parameters a URL keeps: all (`false`), none (`true`), or all but the ones listed. */
export type IgnoreQuery = boolean | readonly string[];

/** The file a trajectory name maps to: one-to-one, by the screenshot baselines' naming rule. */
export function resolveTrajectoryPath(input: { root: string; testPath: string; name: string; snapshotDir: string }): string {
  return path.join(testFileFolder(input.root, input.snapshotDir, input.testPath), baselineFileStem(input.name, 'toMatchTrajectory') + TRAJECTORY_EXTENSION);
}

/**
 * The URL as a trajectory compares it: parsed and printed by WHATWG URL (lower-case scheme and host, no default
 * port, `%`-escapes made uniform), without its `#fragment` (the same page), and without the ignored query
 * parameters. A URL that does not parse is kept as it is. Applying it twice gives the same URL.
 */
export function normalizeUrl(url: string, ignoreQuery: IgnoreQuery = false): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  parsed.hash = '';
  if (ignoreQuery === true) parsed.search = '';
  else if (ignoreQuery !== false) for (const name of ignoreQuery) parsed.searchParams.delete(name);
  return parsed.href;
}

/** A title as a trajectory compares it: whitespace runs as one space, none at either end. */
export function normalizeTitle(title: string): string {
  return title.replace(/\s+/g, ' ').trim();
}

/** A page as it is compared and stored: normalised, then escaped and capped (it came from the network). */
export function toTrajectoryStep(page: { url: string; title: string }, ignoreQuery: IgnoreQuery): TrajectoryStep {
  return { url: escapeNetworkText(normalizeUrl(page.url, ignoreQuery)), title: escapeNetworkText(normalizeTitle(page.title)) };
}

/** The file's text: one step per line, so a changed path reads as a small diff in review. */
export function serializeTrajectory(steps: readonly TrajectoryStep[]): string {
  const lines = steps.map((step) => `    ${JSON.stringify({ url: step.url, title: step.title })}`);
  return `{\n  "steps": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

export interface StoredTrajectory {
  path: string;
  bytes: Buffer;
  steps: TrajectoryStep[];
}

/** The stored trajectory, or undefined when there is none. `shown` is the path as messages name it. */
export async function readTrajectory(file: string, shown: string): Promise<StoredTrajectory | undefined> {
  const bytes = await readFileIfPresent(file, `the trajectory ${shown}`);
  if (bytes === undefined) return undefined;
  const next = 'run `vitest -u` to replace it (or delete it).';
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UnreadableBaselineError(`trajectory ${shown} is not JSON (${(error as Error).message}); ${next}`, { cause: error });
  }
  const steps = (data as { steps?: unknown } | null)?.steps;
  const isStep = (step: unknown) => typeof (step as TrajectoryStep | null)?.url === 'string' && typeof (step as TrajectoryStep).title === 'string';
  if (!Array.isArray(steps) || !steps.every(isStep)) {
    throw new UnreadableBaselineError(`trajectory ${shown} is not a trajectory (it needs "steps": [{ "url", "title" }, …]); ${next}`);
  }
  return { path: file, bytes, steps: steps.map((step: TrajectoryStep) => ({ url: step.url, title: step.title })) };
}
