// The reaper: a tiny /bin/sh process that ends the server groups this process owns if it dies without
// running its exit handlers (SIGKILL, the OOM killer). The reaper reads "+pgid" / "-pgid" lines on a
// pipe from us; when the pipe reaches end-of-file, which the kernel guarantees however we die, it sends
// SIGTERM to every group still listed, then SIGKILL a second later, and exits. It runs only while we own
// a group, in a session of its own so that a signal to our group or terminal does not take it with us.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Writable } from 'node:stream';

/** What the reaper's command line starts with (`ps` shows it), so nobody mistakes it for a server. */
export const REAPER_NAME = 'mcp-supervisor-reaper';

// Group ids other than a plain number above 1 are ignored: `kill -- -1` would signal every process.
const SCRIPT = `
groups=' '
while IFS= read -r line; do
  id=\${line#?}
  case $id in ''|*[!0-9]*|0|1) continue ;; esac
  case $line in
    +*) groups="$groups$id " ;;
    -*) case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
[ "$groups" = ' ' ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep 1
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

const MAX_LOSSES = 5;

/** Reapers of this process not reaped yet (running, or exited and still a zombie). */
const unreaped = new Set<number>();

/** The pids of this process's reapers that are still in the process table: children that are not servers. */
export function reaperPids(): ReadonlySet<number> {
  return unreaped;
}

type ReaperProcess = ChildProcessByStdio<Writable, null, null>;

/** Follows the groups it is told of; one per process (see `orphanReaper`). */
export class OrphanReaper {
  private reaper: ReaperProcess | null = null;
  private readonly groups = new Set<number>();
  /** Reapers lost while groups were listed; bounded, so a shell that cannot run the script is not restarted in a loop. */
  private losses = 0;

  constructor(private readonly shell = '/bin/sh') {}

  /** The reaper's pid while one runs (tests and diagnostics). */
  get pid(): number | null {
    return this.reaper?.pid ?? null;
  }

  watch(pgid: number): void {
    if (this.groups.has(pgid)) return;
    this.groups.add(pgid);
    if (this.reaper) this.tell(`+${pgid}`);
    else this.start();
  }

  forget(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    this.tell(`-${pgid}`);
    if (this.groups.size === 0) this.end();
  }

  private start(): void {
    if (process.platform === 'win32' || this.losses >= MAX_LOSSES) return; // win32: no process groups, no /bin/sh
    let reaper: ReaperProcess;
    try {
      reaper = spawn(this.shell, ['-c', SCRIPT], { argv0: REAPER_NAME, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    } catch {
      return; // the exit handler remains; only a SIGKILL of this process escapes it
    }
    this.reaper = reaper;
    const pid = reaper.pid;
    if (pid !== undefined) {
      unreaped.add(pid);
      reaper.once('exit', () => unreaped.delete(pid)); // 'exit' comes once the process is reaped
    }
    // Neither the reaper nor its pipe may keep this process alive.
    reaper.unref();
    (reaper.stdin as Writable & { unref?: () => void }).unref?.();
    reaper.stdin.on('error', () => this.lost(reaper));
    reaper.on('error', () => {
      this.losses = MAX_LOSSES; // no shell here: the exit handler is all there is
      this.lost(reaper);
    });
    reaper.on('exit', () => this.lost(reaper));
    for (const pgid of this.groups) this.tell(`+${pgid}`);
  }

  /** The reaper is gone (killed by someone, or failed to start): the next group starts another. */
  private lost(reaper: ReaperProcess): void {
    if (this.reaper !== reaper) return;
    this.reaper = null;
    if (this.groups.size === 0) return;
    this.losses += 1;
    this.start();
  }

  private end(): void {
    const reaper = this.reaper;
    this.reaper = null;
    reaper?.stdin.end(); // an empty list at end-of-file: the reaper exits without signalling anyone
  }

  private tell(line: string): void {
    this.reaper?.stdin.write(`${line}\n`);
  }
}
