// Exit codes of the tcp-handshake-scan command (documented in the README).

export const EXIT_OK = 0;
/** A bug: an unexpected exception (the stack is printed). */
export const EXIT_INTERNAL = 1;
/** Bad command line: unknown flag, missing argument. */
export const EXIT_USAGE = 2;
/** An input could not be read at all: missing, not a capture, unsupported version. */
export const EXIT_UNREADABLE = 3;
/** An input was read up to damage (truncated, corrupt): results before it are printed. */
export const EXIT_PARTIAL = 4;

/** --ladder selected no connection (no such id, or nothing matches the expression). */
export const EXIT_NO_MATCH = 6;

/** The worst of two outcomes. */
export function worst(a: number, b: number): number {
  return Math.max(a, b);
}
