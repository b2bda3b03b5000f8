/**
 * Text arriving in chunks, cut into lines. Pure.
 *
 * Each chunk is searched once, and a long line is kept as its pieces until
 * its end arrives: a debugger printing one 5 MB line in thousands of small
 * writes costs linear time (searching the whole growing line again for every
 * chunk took minutes under Bun).
 */
export interface LineSplitter {
  /** Feed a chunk; returns the lines it completed, without their "\n". */
  push(chunk: string): string[];
  /** Text after the last "\n" so far. */
  readonly rest: string;
}

export function lineSplitter(): LineSplitter {
  let pieces: string[] = [];
  return {
    push(chunk) {
      const lines: string[] = [];
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf("\n", start)) >= 0) {
        pieces.push(chunk.slice(start, nl));
        lines.push(pieces.length === 1 ? pieces[0] : pieces.join(""));
        pieces = [];
        start = nl + 1;
      }
      if (start < chunk.length) pieces.push(chunk.slice(start));
      return lines;
    },
    get rest() {
      return pieces.join("");
    },
  };
}
