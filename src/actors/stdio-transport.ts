// An MCP client transport over a server's stdin/stdout that owns the server's whole process tree. The
// server runs in its own process group, so shutdown reaches what it spawned too (`npx` → `node` → …);
// the SDK's StdioClientTransport signals only the direct child and leaves grandchildren behind.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import {
  deserializeMessage,
  serializeMessage,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  type JSONRPCMessage,
  type Transport,
} from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import type { StdioTransportConfig } from '../config/transport.js';
import { ConnectionLostError } from './errors.js';
import { LineBuffer, type OversizedLine } from './line-buffer.js';
import { responseIdOf, tooLargeReply } from './oversized-reply.js';
import { describeExit, type ProcessExit } from './process-exit.js';
import {
  ownProcessGroup,
  processGroupAlive,
  releaseProcessGroup,
  signalProcessGroup,
} from './process-group.js';
import { StderrTail } from './stderr-tail.js';

export interface StdioTransportOptions {
  /** Lines of stderr kept for diagnosis. */
  stderrLines?: number;
  /** Budget of `close()` (the SDK's Client calls it); `shutdown(ms)` takes its own. */
  closeTimeoutMs?: number;
  /** Longest line (one JSON-RPC message) read from the server; longer ones are skipped. Default 10 MiB. */
  maxMessageBytes?: number;
  /** Hears that the server's process started, with its pid (once per transport: each start is a new process). */
  onSpawn?: (pid: number) => void;
}

/** After the server exits, how long to wait for its pipes to drain (its last stderr lines). */
const DRAIN_AFTER_EXIT_MS = 100;
/** Poll period while waiting for a process group to disappear. */
const POLL_MS = 10;
/** Shares of a shutdown budget: stdin close, then SIGTERM, then SIGKILL (the rest). */
const STDIN_SHARE = 0.4;
const SIGTERM_SHARE = 0.4;

type ServerProcess = ChildProcessByStdio<Writable, Readable, Readable>;

export class ProcessGroupStdioTransport implements Transport {
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onmessage?: Transport['onmessage'];

  private child: ServerProcess | null = null;
  private readonly lines: LineBuffer;
  private readonly recentStderr: StderrTail;
  private readonly closeTimeoutMs: number;
  private exitInfo: ProcessExit | null = null;
  private shutdownRequested = false;
  /** While stdin's buffer is over its mark: settles when it drains, or rejects when it closes first. */
  private drained: Promise<void> | null = null;
  private closeReported = false;
  private readonly exitWaiters = new Set<() => void>();
  private readonly onSpawn: ((pid: number) => void) | undefined;

  constructor(
    private readonly config: StdioTransportConfig,
    options: StdioTransportOptions = {},
  ) {
    this.recentStderr = new StderrTail(options.stderrLines ?? 20);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.lines = new LineBuffer(options.maxMessageBytes ?? STDIO_DEFAULT_MAX_BUFFER_SIZE);
    this.onSpawn = options.onSpawn;
  }

  /** The server's pid, which is also its process group id; null before start or if it never spawned. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /**
   * The server's stderr stream (read by this transport), null before start. With `pid`, it is how the
   * SDK recognises a stdio transport during version negotiation: on stdio a probe left unanswered means
   * a legacy server (fall back to `initialize`), where over HTTP it would mean an outage.
   */
  get stderr(): Readable | null {
    return this.child?.stderr ?? null;
  }

  /** How the server process ended, once it has. */
  get exit(): ProcessExit | null {
    return this.exitInfo;
  }

  /** The last lines the server wrote to stderr, oldest first. */
  stderrTail(): string[] {
    return this.recentStderr.snapshot();
  }

  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error('stdio transport already started'));
    // A connect aborted before its spawn must not spawn afterwards: nobody would end that process.
    if (this.shutdownRequested) return Promise.reject(new Error('stdio transport closed before it started'));
    return new Promise((resolve, reject) => {
      const child = spawn(this.config.command, this.config.args, {
        // The SDK's safe default environment (HOME, LOGNAME, PATH, SHELL, TERM, USER) with the configured
        // env on top — never the supervisor's whole environment, whose secrets are not every server's.
        env: { ...getDefaultEnvironment(), ...this.config.env },
        cwd: this.config.cwd,
        // Its own process group: `process.kill(-pid, signal)` then reaches the whole tree.
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
      // Out of file descriptors (EMFILE), Node cannot create the pipes: no streams, and an 'error' follows.
      if (!child.stdin || !child.stdout || !child.stderr) {
        child.once('error', reject);
        return;
      }
      this.child = child;
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        if (child.pid !== undefined) {
          ownProcessGroup(child.pid);
          this.onSpawn?.(child.pid);
        }
        resolve();
      });
      child.on('error', (error) => {
        if (spawned) this.onerror?.(error);
        else reject(error);
      });
      child.once('exit', (code, signal) => this.handleExit(child, { code, signal }));
      child.stdout.on('data', (chunk: Buffer) => this.handleStdout(chunk));
      child.stderr.setEncoding('utf8'); // decodes characters split across chunks
      child.stderr.on('data', (chunk: string) => this.recentStderr.append(chunk));
      // Write errors (EPIPE once the server is gone) are reported; the exit reports the loss.
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        stream.on('error', (error) => this.onerror?.(error));
      }
      // A spawn failure (ENOENT) emits 'error' and 'close' but never 'exit'.
      child.once('close', () => {
        if (!spawned) this.reportClose();
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable || this.exitInfo) return Promise.reject(this.inputClosed());
    if (stdin.write(serializeMessage(message))) return Promise.resolve();
    // Back-pressure: the message is buffered; wait for the pipe to drain, or fail if it closes first (the
    // server exited). Every send of a burst shares one wait, so a burst adds two listeners, not two each.
    this.drained ??= new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        stdin.off('close', onClose);
        this.drained = null;
        resolve();
      };
      const onClose = () => {
        stdin.off('drain', onDrain);
        this.drained = null;
        reject(this.inputClosed());
      };
      stdin.once('drain', onDrain);
      stdin.once('close', onClose);
    });
    return this.drained;
  }

  close(): Promise<void> {
    return this.shutdown(this.closeTimeoutMs);
  }

  /**
   * The shutdown protocol, bounded by `budgetMs`: close stdin and wait, SIGTERM the group and wait,
   * SIGKILL the group. Resolves once no process of the group runs, or when the budget is spent.
   * Safe to call more than once, and concurrently: every step is idempotent.
   */
  async shutdown(budgetMs: number): Promise<void> {
    this.shutdownRequested = true;
    const child = this.child;
    if (!child || child.pid === undefined) {
      this.reportClose();
      return;
    }
    await this.endTree(child, child.pid, budgetMs);
    this.lines.clear();
  }

  private async endTree(child: ServerProcess, pgid: number, budgetMs: number): Promise<void> {
    const steps: { share: number; act: () => void }[] = [
      { share: STDIN_SHARE, act: () => child.stdin.end() },
      { share: SIGTERM_SHARE, act: () => signalProcessGroup(pgid, 'SIGTERM') },
      { share: 1 - STDIN_SHARE - SIGTERM_SHARE, act: () => signalProcessGroup(pgid, 'SIGKILL') },
    ];
    let deadline = performance.now();
    for (const [index, step] of steps.entries()) {
      deadline += step.share * budgetMs;
      if (this.treeGone(pgid)) break;
      // Closing stdin asks the server to leave; once it has exited nobody is listening.
      if (index === 0 && this.exitInfo) continue;
      step.act();
      await this.waitUntilTreeGone(pgid, deadline);
    }
    if (this.treeGone(pgid)) releaseProcessGroup(pgid);
  }

  private handleStdout(chunk: Buffer): void {
    this.lines.push(chunk, {
      line: (text) => this.handleLine(text),
      oversized: (line) => this.handleOversized(line),
    });
  }

  private handleLine(text: string): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(text);
    } catch (error) {
      // A line that is not JSON-RPC (a stray console.log): report it and keep reading.
      const detail = error instanceof Error ? error.message : String(error);
      this.onerror?.(new Error(`ignored a line on the server's stdout that is not JSON-RPC: ${detail}`));
      return;
    }
    this.onmessage?.(message);
  }

  /** The request whose reply was too large fails at once, naming the limit, instead of timing out. */
  private handleOversized(line: OversizedLine): void {
    const limit = this.lines.maxLineBytes;
    const id = responseIdOf(line);
    this.onerror?.(new Error(`skipped a ${line.bytes}-byte message on the server's stdout, over the ${limit}-byte limit`));
    if (id !== null) this.onmessage?.(tooLargeReply(id, line.bytes, limit));
  }

  /** Why a message cannot be sent: the server exited, or closed its stdin. */
  private inputClosed(): ConnectionLostError {
    return new ConnectionLostError(this.exitInfo ? `the server process ${describeExit(this.exitInfo)}` : 'the server closed its input');
  }

  private handleExit(child: ServerProcess, exit: ProcessExit): void {
    this.exitInfo = exit;
    for (const wake of this.exitWaiters) wake();
    this.exitWaiters.clear();
    const pgid = child.pid;
    if (pgid !== undefined) {
      // Whatever the server left running is ours to end, whether or not anyone calls close().
      if (processGroupAlive(pgid)) void this.endTree(child, pgid, this.closeTimeoutMs);
      else releaseProcessGroup(pgid);
    }
    // Report once its pipes have drained (its last stderr lines are the diagnosis), but not later than
    // DRAIN_AFTER_EXIT_MS: a grandchild may hold the pipes open.
    const drained = Promise.all(
      [child.stdout, child.stderr].map(
        (stream) => new Promise<void>((resolve) => (stream.closed ? resolve() : stream.once('close', resolve))),
      ),
    );
    const timer = setTimeout(() => this.reportClose(), DRAIN_AFTER_EXIT_MS);
    void drained.then(() => {
      clearTimeout(timer);
      this.reportClose();
    });
  }

  private reportClose(): void {
    if (this.closeReported) return;
    this.closeReported = true;
    this.onclose?.();
  }

  private treeGone(pgid: number): boolean {
    return this.exitInfo !== null && !processGroupAlive(pgid);
  }

  /** Waits until the server has exited and no process of its group runs, or until `deadline`. */
  private async waitUntilTreeGone(pgid: number, deadline: number): Promise<void> {
    while (!this.treeGone(pgid)) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.exitWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(POLL_MS, remaining));
        this.exitWaiters.add(wake);
      });
    }
  }
}
