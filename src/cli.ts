#!/usr/bin/env node
/** The `vitest-agi` bin: a dispatcher; each subcommand lives with its feature and is loaded on demand. */

const USAGE = `Usage: vitest-agi <command> [options]

Commands:
  emulator   run a local AGI-compatible API on a real headless Chromium
  report     merge sharded results and print a Markdown summary of the assertions
  prune      list (--delete: delete) baselines the last complete run did not use

Run \`vitest-agi <command> --help\` for a command's options.`;

const commands: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  emulator: async () => ({ run: (await import('./emulator/command.js')).runEmulatorCommand }),
  report: async () => ({ run: (await import('./commands/report.js')).runReportCommand }),
  prune: async () => ({ run: (await import('./commands/prune.js')).runPruneCommand }),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`Unknown command ${JSON.stringify(name)}.\n\n${USAGE}\n`);
    return 2;
  }
  return await (await load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vitest-agi: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
