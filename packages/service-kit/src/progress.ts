/**
 * Progress of long work on a terminal (the demo loader, the benchmarks): count done / total,
 * rate and time left. On a TTY one line is rewritten in place (at most every `everyMs`); on
 * anything else (CI logs, a pipe) a line is written at each tenth of the work, never one per item.
 */
export interface ProgressLine {
  /** `n` more items done (default 1). */
  tick(n?: number): void;
  /** Writes the final line (count, rate, time taken). */
  done(): void;
}

export interface ProgressOptions {
  total: number;
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Shortest interval between two rewrites on a TTY (default 200 ms). */
  everyMs?: number;
  now?: () => number;
}

/** `seconds` as `45 s`, `3 min 20 s` or `1 h 05 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** `label: 1,200 / 5,000 (24%), 310/s, 12 s left` (the rate and time left once something is done). */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number): string {
  const share = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const left = rate > 0 ? formatDuration((total - done) / rate) : '?';
  const n = (x: number) => x.toLocaleString('en-US');
  return `${label}: ${n(done)} / ${n(total)} (${share}%), ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s, ${done >= total ? `done in ${formatDuration(elapsedMs / 1000)}` : `${left} left`}`;
}

export function progressLine(label: string, options: ProgressOptions): ProgressLine {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = Boolean(stream.isTTY);
  const everyMs = options.everyMs ?? 200;
  const started = now();
  let done = 0;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let lastTenth = 0;
  return {
    tick(n = 1) {
      done += n;
      const t = now();
      if (tty) {
        if (t - lastWrite < everyMs) return;
        lastWrite = t;
        stream.write(`\r${formatProgress(label, done, options.total, t - started)}\x1b[K`);
        return;
      }
      const tenth = options.total > 0 ? Math.floor((done / options.total) * 10) : 10;
      if (tenth > lastTenth && done < options.total) {
        lastTenth = tenth;
        stream.write(`${formatProgress(label, done, options.total, t - started)}\n`);
      }
    },
    done() {
      stream.write(`${tty ? '\r' : ''}${formatProgress(label, done, Math.max(done, options.total), now() - started)}${tty ? '\x1b[K' : ''}\n`);
    },
  };
}
