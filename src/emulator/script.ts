/**
 * The scripted agent's language: the emulator has no AI, so each message is a small deterministic script.
 *
 * One step per line. Blank lines and lines starting with `#` are ignored. Keywords are case-insensitive.
 * Quoted arguments use double quotes; write `\"` for a quote and `\\` for a backslash inside them.
 *
 *   go to <url>                                  open a URL: absolute http(s), `about:blank`, or a path
 *                                                resolved against the current page (`go to /checkout`)
 *   click "<visible text>"                       click the button, link or other element whose visible text
 *                                                (or accessible name) is exactly that; if none, the first
 *                                                visible element containing it, ignoring case
 *   fill "<label or placeholder>" with "<value>" type into the field with that label or placeholder
 *                                                (a <select> gets the option with that label or value)
 *   press <Key>                                  press a key: Enter, Tab, Escape, ArrowDown, Control+A, …
 *   wait <ms>                                    sleep, 0–60000 ms
 *   ask "<question>"                             post a QUESTION and stop in `waiting_for_input`; the next
 *                                                message is the answer, then the following steps run;
 *                                                `{{answer}}` in a later argument is replaced by it
 *   done "<summary>"                             finish with a DONE message; must be the last step
 *
 * A `start_url` sent with the message is opened before the first step. A script that ends without `done`
 * finishes with DONE "Completed N steps.".
 *
 * Example:
 *   go to http://127.0.0.1:4173/
 *   click "Add to cart"
 *   fill "Email" with "ada@example.com"
 *   press Enter
 *   done "Ordered one mug"
 */

export type Step = { line: number; text: string } & (
  | { kind: 'go to'; url: string }
  | { kind: 'click'; target: string }
  | { kind: 'fill'; field: string; value: string }
  | { kind: 'press'; key: string }
  | { kind: 'wait'; ms: number }
  | { kind: 'ask'; question: string }
  | { kind: 'done'; summary: string }
);

export type StepKind = Step['kind'];

/** A script line that is not a step; `message` names the line, its text and what is wrong. */
export class ScriptSyntaxError extends Error {
  override name = 'ScriptSyntaxError';
  readonly code = 'AGI_EMULATOR_SCRIPT_SYNTAX';
  constructor(
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(`Line ${line} \`${text}\` is not a step: ${reason}`);
  }
}

export const MAX_WAIT_MS = 60_000;

const GRAMMAR_HINT =
  'the emulator runs one step per line: go to <url> | click "<text>" | fill "<label>" with "<value>" | ' +
  'press <Key> | wait <ms> | ask "<question>" | done "<summary>"';

/** Parses a whole message before anything runs, so a typo on line 5 fails before line 1 clicks. */
export function parseScript(source: string): Step[] {
  const steps: Step[] = [];
  const lines = source.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const line = index + 1;
    const previous = steps.at(-1);
    if (previous?.kind === 'done') {
      throw new ScriptSyntaxError(line, text, `it follows \`done\` on line ${previous.line}; \`done\` must be the last step.`);
    }
    steps.push(parseStep(line, text));
  });
  return steps;
}

function parseStep(line: number, text: string): Step {
  const fail = (reason: string): never => {
    throw new ScriptSyntaxError(line, text, reason);
  };
  const keyword = /^(go\s+to|click|fill|press|wait|ask|done)\b\s*/i.exec(text);
  if (!keyword) {
    const first = text.split(/\s+/)[0] ?? '';
    return fail(`unknown step "${first}"; ${GRAMMAR_HINT}.`);
  }
  const kind = keyword[1]!.toLowerCase().replace(/\s+/, ' ') as StepKind;
  const rest = text.slice(keyword[0].length);

  switch (kind) {
    case 'go to': {
      if (rest === '' || /\s/.test(rest)) return fail('expected `go to <url>` with one URL and no spaces.');
      return { line, text, kind, url: rest };
    }
    case 'click':
    case 'ask':
    case 'done': {
      const [value, after] = readQuoted(rest, fail, `\`${kind} "<text>"\``);
      if (after.trim() !== '') fail(`unexpected text after the closing quote: ${JSON.stringify(after.trim())}.`);
      if (kind === 'click') return value === '' ? fail('the text to click is empty.') : { line, text, kind, target: value };
      if (kind === 'ask') return { line, text, kind, question: value };
      return { line, text, kind, summary: value };
    }
    case 'fill': {
      const usage = '`fill "<label or placeholder>" with "<value>"`';
      const [field, afterField] = readQuoted(rest, fail, usage);
      const withWord = /^\s*with\s+/i.exec(afterField);
      if (!withWord) return fail(`expected ${usage}.`);
      const [value, after] = readQuoted(afterField.slice(withWord[0].length), fail, usage);
      if (after.trim() !== '') fail(`unexpected text after the closing quote: ${JSON.stringify(after.trim())}.`);
      if (field === '') fail('the field label is empty.');
      return { line, text, kind, field, value };
    }
    case 'press': {
      if (!/^[A-Za-z0-9+_\-]+$/.test(rest) && !/^\S$/.test(rest)) return fail('expected `press <Key>`, e.g. `press Enter`.');
      return { line, text, kind, key: rest };
    }
    case 'wait': {
      const ms = /^(\d+)\s*(?:ms)?$/i.exec(rest);
      if (!ms) return fail('expected `wait <ms>` with a whole number of milliseconds, e.g. `wait 500`.');
      const value = Number(ms[1]);
      if (value > MAX_WAIT_MS) return fail(`${value} ms is longer than the ${MAX_WAIT_MS} ms a wait may take.`);
      return { line, text, kind, ms: value };
    }
  }
}

/** Reads one double-quoted string at the start of `input`; returns it and the text after it. */
function readQuoted(input: string, fail: (reason: string) => never, usage: string): [string, string] {
  if (!input.startsWith('"')) return fail(`expected ${usage} with the argument in double quotes.`);
  let value = '';
  for (let i = 1; i < input.length; i++) {
    const char = input[i]!;
    if (char === '\\' && i + 1 < input.length) {
      value += input[++i];
    } else if (char === '"') {
      return [value, input.slice(i + 1)];
    } else {
      value += char;
    }
  }
  return fail('the closing double quote is missing.');
}

/** Replaces `{{answer}}` in a step's arguments with the reply to the last `ask`. */
export function substituteAnswer(step: Step, answer: string | undefined): Step {
  if (answer === undefined) return step;
  const replace = (value: string) => value.replaceAll('{{answer}}', answer);
  switch (step.kind) {
    case 'go to':
      return { ...step, url: replace(step.url) };
    case 'click':
      return { ...step, target: replace(step.target) };
    case 'fill':
      return { ...step, field: replace(step.field), value: replace(step.value) };
    case 'ask':
      return { ...step, question: replace(step.question) };
    case 'done':
      return { ...step, summary: replace(step.summary) };
    default:
      return step;
  }
}
