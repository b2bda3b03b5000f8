/**
 * A terminal a person types at: what the console (client/console.ts) draws on and reads from.
 * The process's own terminal is the platform's (platform.ts); tests drive one with plain arrays.
 */
export interface Terminal {
  /** Show text (may hold several lines). */
  write(text: string): void;
  /** Lines the user types, until end of input. */
  lines(): AsyncIterable<string>;
  /** Ctrl+C. */
  onInterrupt(handler: () => void): void;
  /** Ctrl+B. */
  onLeave(handler: () => void): void;
  /** Esc (leaves input mode). Optional: a terminal without keys sends an Esc character as a line. */
  onEscape?(handler: () => void): void;
  /** Stop reading input. */
  close(): void;
}
