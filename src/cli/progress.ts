/** Where progress lines go (stderr in the CLIs). */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * Progress lines on stderr for long runs: one line every `everyRows` rows, with the share of the
 * file read so far. Short runs (fewer rows) print nothing, so scripts stay quiet.
 */
export class Progress {
  private fraction = 0;
  private readonly started = performance.now();

  constructor(
    private readonly sink: TextSink,
    private readonly label: string,
    /** Rows between two lines. @default 250000 */
    readonly everyRows = 250_000,
  ) {}

  /** Records how much of the input file has been read (0..1). */
  bytes(read: number, total: number): void {
    this.fraction = total > 0 ? Math.min(1, read / total) : 0;
  }

  /** Reports `rows` rows done when it crosses a multiple of `everyRows` since `previousRows`. */
  rows(rows: number, previousRows = rows - 1): void {
    if (Math.floor(rows / this.everyRows) === Math.floor(previousRows / this.everyRows)) return;
    this.line(
      `${rows.toLocaleString('en-US')} rows (${Math.round(this.fraction * 100)}% of the file)`,
    );
  }

  /** Prints one progress line with the elapsed time. */
  line(text: string): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.sink.write(`${this.label}: ${text}, ${seconds} s\n`);
  }
}
