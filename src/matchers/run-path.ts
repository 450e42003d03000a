/**
 * The path of a run: its captures folded into the distinct pages it passed through, and expected steps aligned
 * with them. Pure: no screenshots are read, only each capture's time, page and count.
 */

/** What a capture contributes to the path. */
export interface PathCapture {
  atMs: number;
  url: string;
  title: string;
  /** Identical consecutive screenshots kept once, with how many times they were seen. */
  count: number;
}

/** One stay on a page: consecutive captures with the same URL and title. */
export interface PageVisit {
  url: string;
  title: string;
  /** atMs of its first and last capture. */
  fromMs: number;
  toMs: number;
  /** Screenshots it stands for (the captures' counts summed). */
  captures: number;
}

/**
 * Consecutive captures of the same page fold into one visit. `page` maps a capture to the page it is compared as
 * (the trajectory snapshot folds normalised URLs, so `?utm=1` and `?utm=2` can be one page there).
 */
export function foldPath(captures: readonly PathCapture[], page: (capture: PathCapture) => { url: string; title: string } = (c) => c): PageVisit[] {
  const visits: PageVisit[] = [];
  for (const capture of captures) {
    const { url, title } = page(capture);
    const last = visits.at(-1);
    if (last && last.url === url && last.title === title) {
      last.toMs = capture.atMs;
      last.captures += capture.count;
    } else {
      visits.push({ url, title, fromMs: capture.atMs, toMs: capture.atMs, captures: capture.count });
    }
  }
  return visits;
}

/** Which visit each expected step matched, and the first step that matched none where it had to. */
export interface Alignment {
  /** Per step, the index of the visit it matched; undefined when missing or not checked. */
  matchedAt: Array<number | undefined>;
  /** Steps that matched no visit where they had to, in step order. */
  missing: number[];
  /** In order: steps after the first missing one, which were not looked for. */
  unchecked: number[];
  /** In order: a missing step → the first visit it matches, before the previous step's (it came too early). */
  earlier: Map<number, number>;
}

/**
 * In order, each step matches the earliest visit at or after the previous step's (two steps may match one visit:
 * `'checkout'` and `/pay/` can both describe the checkout page). Earliest-first finds an order whenever one exists.
 * After the first missing step the rest are not checked: without a place for it, "after it" has no meaning.
 * Out of order, each step may match any visit, and every missing step is reported.
 */
export function alignSteps(visitCount: number, stepCount: number, matches: (step: number, visit: number) => boolean, inOrder: boolean): Alignment {
  const matchedAt: Array<number | undefined> = [];
  const missing: number[] = [];
  const unchecked: number[] = [];
  const earlier = new Map<number, number>();
  let from = 0;
  for (let step = 0; step < stepCount; step++) {
    if (inOrder && missing.length > 0) {
      matchedAt.push(undefined);
      unchecked.push(step);
      continue;
    }
    let found: number | undefined;
    for (let visit = inOrder ? from : 0; visit < visitCount; visit++) {
      if (matches(step, visit)) {
        found = visit;
        break;
      }
    }
    matchedAt.push(found);
    if (found === undefined) {
      missing.push(step);
      const before = inOrder ? Array.from({ length: from }, (_, visit) => visit).find((visit) => matches(step, visit)) : undefined;
      if (before !== undefined) earlier.set(step, before);
    } else if (inOrder) {
      from = found;
    }
  }
  return { matchedAt, missing, unchecked, earlier };
}

/** Whether `part` appears in `whole` in order, with other items allowed between (and around) its items. */
export function isSubsequence<T>(part: readonly T[], whole: readonly T[], equal: (a: T, b: T) => boolean): boolean {
  let i = 0;
  for (const item of whole) if (i < part.length && equal(part[i]!, item)) i++;
  return i === part.length;
}
