import { describe, expect, test } from 'vitest';
import { parseScript, ScriptSyntaxError, substituteAnswer } from '../../src/emulator/script.js';

// The scripted agent's grammar, parsed without a browser: what each line becomes, and the error for each
// kind of mistake (it names the line number and text, then what is wrong).

function syntaxError(source: string): string {
  try {
    parseScript(source);
  } catch (error) {
    if (error instanceof ScriptSyntaxError) return error.message;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('parseScript', () => {
  test('parseScript reads every step, skipping blank lines and # comments, keeping line numbers', () => {
    const steps = parseScript(
      [
        '# buy a mug',
        'go to http://127.0.0.1:4173/',
        '',
        '  Click "Buy the mug"  ',
        'fill "Email" with "ada@example.com"',
        'PRESS Enter',
        'wait 250ms',
        'ask "Which size?"',
        'done "Ordered \\"one\\" mug"',
      ].join('\n'),
    );
    expect(steps.map(({ text, ...step }) => step)).toEqual([
      { line: 2, kind: 'go to', url: 'http://127.0.0.1:4173/' },
      { line: 4, kind: 'click', target: 'Buy the mug' },
      { line: 5, kind: 'fill', field: 'Email', value: 'ada@example.com' },
      { line: 6, kind: 'press', key: 'Enter' },
      { line: 7, kind: 'wait', ms: 250 },
      { line: 8, kind: 'ask', question: 'Which size?' },
      { line: 9, kind: 'done', summary: 'Ordered "one" mug' },
    ]);
    expect(steps[1]!.text).toBe('Click "Buy the mug"');
  });

  test('parseScript accepts Windows line endings, key chords and an empty script', () => {
    expect(parseScript('press Control+A\r\npress Shift+Tab').map((s) => s.kind === 'press' && s.key)).toEqual(['Control+A', 'Shift+Tab']);
    expect(parseScript('\n# nothing\n')).toEqual([]);
  });

  test('parseScript rejects each kind of mistake with the line, its text and the reason', () => {
    expect([
      syntaxError('go to http://a/\nclik "Buy"'),
      syntaxError('click Buy'),
      syntaxError('click "Buy'),
      syntaxError('click "Buy" now'),
      syntaxError('click ""'),
      syntaxError('fill "Email" "a@b.c"'),
      syntaxError('go to'),
      syntaxError('go to http://a/ http://b/'),
      syntaxError('wait a second'),
      syntaxError('wait 61000'),
      syntaxError('press'),
      syntaxError('done "ok"\nclick "More"'),
    ]).toMatchInlineSnapshot(`
      [
        "Line 2 \`clik "Buy"\` is not a step: unknown step "clik"; the emulator runs one step per line: go to <url> | click "<text>" | fill "<label>" with "<value>" | press <Key> | wait <ms> | ask "<question>" | done "<summary>".",
        "Line 1 \`click Buy\` is not a step: expected \`click "<text>"\` with the argument in double quotes.",
        "Line 1 \`click "Buy\` is not a step: the closing double quote is missing.",
        "Line 1 \`click "Buy" now\` is not a step: unexpected text after the closing quote: "now".",
        "Line 1 \`click ""\` is not a step: the text to click is empty.",
        "Line 1 \`fill "Email" "a@b.c"\` is not a step: expected \`fill "<label or placeholder>" with "<value>"\`.",
        "Line 1 \`go to\` is not a step: expected \`go to <url>\` with one URL and no spaces.",
        "Line 1 \`go to http://a/ http://b/\` is not a step: expected \`go to <url>\` with one URL and no spaces.",
        "Line 1 \`wait a second\` is not a step: expected \`wait <ms>\` with a whole number of milliseconds, e.g. \`wait 500\`.",
        "Line 1 \`wait 61000\` is not a step: 61000 ms is longer than the 60000 ms a wait may take.",
        "Line 1 \`press\` is not a step: expected \`press <Key>\`, e.g. \`press Enter\`.",
        "Line 2 \`click "More"\` is not a step: it follows \`done\` on line 1; \`done\` must be the last step.",
      ]
    `);
  });
});

describe('substituteAnswer', () => {
  test('substituteAnswer puts the reply to `ask` into every {{answer}} of a step', () => {
    const [fill] = parseScript('fill "Size" with "{{answer}} ({{answer}})"');
    expect(substituteAnswer(fill!, 'L')).toMatchObject({ field: 'Size', value: 'L (L)' });
    expect(substituteAnswer(fill!, undefined)).toBe(fill);
  });
});
