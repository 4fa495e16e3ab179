import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes a file's bytes through unchanged and notes which lines are not UTF-8. readline and
 * csv-parse decode invalid bytes to U+FFFD, so two identifier values that differ only in such bytes
 * would become one and link two people; the readers refuse a record on a noted line instead, as the
 * API refuses such a request.
 *
 * Lines are counted as readline and csv-parse count them (`\n`, `\r\n` and a lone `\r` each end
 * one). No UTF-8 sequence holds those bytes, so cutting there never splits a character. A line is
 * checked as it passes, before the reader downstream sees it.
 */
export class Utf8LineCheck extends Transform {
  /** 1-based numbers of the lines holding bytes that are not UTF-8, until asked about. */
  private readonly badLines = new Set<number>();
  /** The byte offset where each of those lines starts, ascending; those before `nextBad` passed. */
  private readonly badStarts: number[] = [];
  private nextBad = 0;
  private line = 1;
  private lineStart = 0;
  private passed = 0;
  private decoder = new TextDecoder('utf-8', { fatal: true });
  private lineBad = false;
  private afterCr = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    let lf = chunk.indexOf(0x0a);
    let cr = chunk.indexOf(0x0d);
    while (lf !== -1 || cr !== -1) {
      const i = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      const byte = chunk[i];
      if (i > start) this.afterCr = false;
      this.check(chunk.subarray(start, i), false);
      start = i + 1;
      // `\r\n` ends one line, even when a chunk ends between the two.
      if (byte === 0x0a && this.afterCr) {
        this.afterCr = false;
      } else {
        this.endLine();
        this.afterCr = byte === 0x0d;
      }
      this.lineStart = this.passed + start;
      if (i === lf) lf = chunk.indexOf(0x0a, start);
      else cr = chunk.indexOf(0x0d, start);
    }
    if (start < chunk.length) this.afterCr = false;
    this.check(chunk.subarray(start), true);
    this.passed += chunk.length;
    done(null, chunk);
  }

  /** Whether line `line` is not UTF-8; asked in ascending order, each line at most once. */
  isBadLine(line: number): boolean {
    return this.badLines.delete(line);
  }

  /**
   * Whether a line that is not UTF-8 starts in the bytes [from, to) (a CSV record's); asked for
   * ascending ranges, so what lies before `from` is forgotten.
   */
  isBadRange(from: number, to: number): boolean {
    const starts = this.badStarts;
    while (this.nextBad < starts.length && starts[this.nextBad]! < from) this.nextBad += 1;
    return this.nextBad < starts.length && starts[this.nextBad]! < to;
  }

  override _flush(done: TransformCallback): void {
    this.endLine();
    done();
  }

  private check(bytes: Uint8Array, more: boolean): void {
    if (this.lineBad) return;
    try {
      this.decoder.decode(bytes, { stream: more });
    } catch {
      this.lineBad = true;
    }
  }

  private endLine(): void {
    this.check(new Uint8Array(0), false);
    if (this.lineBad) {
      this.badLines.add(this.line);
      this.badStarts.push(this.lineStart);
    }
    this.line += 1;
    this.lineBad = false;
    // A decoder that threw may keep part of the bad sequence: the next line starts afresh.
    this.decoder = new TextDecoder('utf-8', { fatal: true });
  }
}
