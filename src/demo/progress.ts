/**
 * A plain-text progress bar for the demos (no dependency): on a terminal it redraws one line on stderr
 * (`\r`); otherwise (a pipe, a CI log) it prints a line per quarter once the work took over a second, and
 * one at the end, so logs stay short.
 */
export interface ProgressBar {
  /** Sets the absolute progress (clamped to the total). */
  update(done: number, note?: string): void;
  /** Completes the bar (prints the final line). */
  finish(note?: string): void;
}

export interface ProgressOptions {
  /** Where non-terminal lines go (default: stderr). */
  out?: (line: string) => void;
  /** Redraw in place (default: stderr is a TTY). */
  tty?: boolean;
  width?: number;
}

export function progressBar(label: string, total: number, options: ProgressOptions = {}): ProgressBar {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  const out = options.out ?? ((l: string) => process.stderr.write(l + '\n'));
  const width = options.width ?? 30;
  const started = Date.now();
  let lastQuarter = -1;
  let lastDraw = 0;
  let done = 0;
  let finished = false;

  const render = (note: string | undefined): string => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * width);
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? ` ${Math.round(done / secs).toLocaleString('en-US')}/s` : '';
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${(frac * 100).toFixed(0).padStart(3)}%${rate}${note ? ` ${note}` : ''}`;
  };

  const bar: ProgressBar = {
    update(n, note) {
      if (finished) return;
      done = Math.min(n, total);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        process.stderr.write(`\r${render(note)}\x1b[K`);
        return;
      }
      // Quarter lines only for work that takes a while; a quick one prints its final line alone.
      const quarter = total > 0 ? Math.floor((done / total) * 4) : 4;
      if (quarter > lastQuarter && quarter < 4 && Date.now() - started > 1000) {
        lastQuarter = quarter;
        out(render(note));
      }
    },
    finish(note) {
      if (finished) return;
      done = total;
      finished = true;
      if (tty) process.stderr.write(`\r${render(note)}\x1b[K\n`);
      else out(render(note));
    },
  };
  bar.update(0);
  return bar;
}
