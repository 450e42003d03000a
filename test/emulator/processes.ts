import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

/** Every process on the machine, from /proc (the same data `ps -eo pid,ppid,pgid,args` prints). */
export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp …
      const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      processes.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), command });
    } catch {
      // exited while we looked
    }
  }
  return processes;
}

/**
 * The Chromium processes started by `parentPid`: the browser process Playwright spawned (a child of the
 * parent, leader of its own process group) plus everything in that group (renderers, GPU, zygotes).
 */
export function chromiumProcessesOf(parentPid: number): ProcessInfo[] {
  const all = listProcesses();
  // Debian's /usr/bin/chromium is a shell wrapper that execs /usr/lib/chromium/chromium: match by name.
  const leaders = all.filter((p) => p.ppid === parentPid && p.pgid === p.pid && /chrom/i.test(p.command));
  const groups = new Set(leaders.map((p) => p.pgid));
  return all.filter((p) => groups.has(p.pgid) || leaders.some((l) => l.pid === p.pid));
}

/** Processes still alive (not zombies) among `pids`. */
export function aliveAmong(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}
