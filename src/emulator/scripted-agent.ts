import type { Locator, Page } from 'playwright-core';
import { firstLine } from './browser.js';
import type { Step } from './script.js';

/**
 * Performs the browser steps of the scripted agent (grammar: ./script.ts) on a session's page.
 * `ask` and `done` are not browser steps: the session turns them into QUESTION and DONE messages.
 */

export type ActionStep = Extract<Step, { kind: 'go to' | 'click' | 'fill' | 'press' | 'wait' }>;

export interface StepContext {
  /** How long a step may wait for its element or its page, in ms. */
  timeout: number;
  /** Aborted when the task is cancelled or the session deleted. */
  signal: AbortSignal;
}

/** Why a step failed, in words for the ERROR message (no Playwright call log). */
export class StepFailedError extends Error {
  override name = 'StepFailedError';
  readonly code = 'AGI_EMULATOR_STEP_FAILED';
}

export function isActionStep(step: Step): step is ActionStep {
  return step.kind !== 'ask' && step.kind !== 'done';
}

/** The THOUGHT the agent posts before a step. */
export function describeStep(step: ActionStep): string {
  switch (step.kind) {
    case 'go to':
      return `Going to ${step.url}`;
    case 'click':
      return `Clicking "${step.target}"`;
    case 'fill':
      return `Filling "${step.field}" with "${step.value}"`;
    case 'press':
      return `Pressing ${step.key}`;
    case 'wait':
      return `Waiting ${step.ms} ms`;
  }
}

export async function performStep(page: Page, step: ActionStep, context: StepContext): Promise<void> {
  switch (step.kind) {
    case 'go to':
      await goTo(page, step.url, context);
      break;
    case 'click': {
      const target = await findElement(page, clickCandidates(page, step.target), context, () =>
        `no visible button, link or text "${step.target}"`,
      );
      await target.click({ timeout: context.timeout }).catch(rethrowAs('could not click it'));
      break;
    }
    case 'fill': {
      const field = await findElement(page, fieldCandidates(page, step.field), context, () =>
        `no field labelled or with the placeholder "${step.field}"`,
      );
      const tag = await field.evaluate((element) => element.tagName).catch(() => '');
      if (tag === 'SELECT') {
        await field
          .selectOption([{ label: step.value }], { timeout: context.timeout })
          .catch(() => field.selectOption(step.value, { timeout: context.timeout }))
          .catch(rethrowAs(`the list has no option "${step.value}"`));
      } else {
        await field.fill(step.value, { timeout: context.timeout }).catch(rethrowAs('could not type into it'));
      }
      break;
    }
    case 'press':
      await page.keyboard.press(step.key).catch(rethrowAs(`could not press ${JSON.stringify(step.key)}`));
      break;
    case 'wait':
      await sleep(step.ms, context.signal);
      break;
  }
  // A click or key press may have started a navigation: let it load so the next step and any screenshot
  // see the new page, as a person waiting for the page would.
  await page.waitForLoadState('load', { timeout: context.timeout }).catch(rethrowAs('the page did not finish loading'));
}

/** Opens a URL (absolute, or relative to the current http page) and waits for `load`. */
export async function goTo(page: Page, url: string, { timeout }: Pick<StepContext, 'timeout'>): Promise<string> {
  const target = resolveUrl(url, page.url());
  await page.goto(target, { waitUntil: 'load', timeout }).catch((error: unknown) => {
    // "net::ERR_CONNECTION_REFUSED at http://…": the URL is already in our own words.
    throw new StepFailedError(`could not open ${target}: ${firstLine(error).replace(/^[\w.]+: /, '').replace(` at ${target}`, '')}`, { cause: error });
  });
  return page.url();
}

function resolveUrl(url: string, current: string): string {
  if (url === 'about:blank') return url;
  let resolved: URL;
  try {
    resolved = /^[a-z][a-z0-9+.-]*:/i.test(url) ? new URL(url) : new URL(url, /^https?:/.test(current) ? current : undefined);
  } catch {
    throw new StepFailedError(
      `${JSON.stringify(url)} is not an absolute http(s) URL, and the current page (${current}) has no http URL to resolve it against.`,
    );
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
    throw new StepFailedError(`${JSON.stringify(url)} is not an http(s) URL.`);
  }
  return resolved.href;
}

/** Exact matches first (buttons, links, other roles, text), then a case-insensitive substring of the text. */
function clickCandidates(page: Page, text: string): Locator[] {
  const exact = { name: text, exact: true };
  return [
    page.getByRole('button', exact),
    page.getByRole('link', exact),
    page.getByRole('menuitem', exact),
    page.getByRole('tab', exact),
    page.getByRole('checkbox', exact),
    page.getByRole('radio', exact),
    page.getByText(text, { exact: true }),
    page.getByRole('button', { name: text }),
    page.getByRole('link', { name: text }),
    page.getByText(text),
  ];
}

function fieldCandidates(page: Page, label: string): Locator[] {
  return [
    page.getByLabel(label, { exact: true }),
    page.getByPlaceholder(label, { exact: true }),
    page.getByLabel(label),
    page.getByPlaceholder(label),
  ];
}

/** Polls the candidates in order until one has a visible match, for at most `timeout` ms. */
async function findElement(
  page: Page,
  candidates: Locator[],
  { timeout, signal }: StepContext,
  describeMissing: () => string,
): Promise<Locator> {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const candidate of candidates) {
      const visible = candidate.filter({ visible: true });
      if ((await visible.count()) > 0) return visible.first();
    }
    if (signal.aborted) throw new StepFailedError('the task was cancelled.');
    if (Date.now() >= deadline) {
      const title = await page.title().catch(() => '');
      throw new StepFailedError(`${describeMissing()} on ${page.url()} ${JSON.stringify(title)} after ${timeout} ms.`);
    }
    await sleep(100, signal);
  }
}

function rethrowAs(what: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof StepFailedError) throw error;
    // Playwright errors start with the API name ("page.goto: net::ERR_…"): keep only the reason.
    throw new StepFailedError(`${what}: ${firstLine(error).replace(/^[\w.]+: /, '')}`, { cause: error });
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
