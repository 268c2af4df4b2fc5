// Exit codes of the tcp-handshake-scan command (documented in the README).

export const EXIT_OK = 0;
/** A bug: an unexpected exception (the stack is printed). */
export const EXIT_INTERNAL = 1;
/** Bad command line: unknown flag, missing argument, an input given twice, -o naming an input. */
export const EXIT_USAGE = 2;
/** An input could not be read at all: missing, not a capture, unsupported version. */
export const EXIT_UNREADABLE = 3;
/**
 * An input was read up to damage (truncated, corrupt): results before it are printed. With
 * --from-partitions: a bucket file found damaged while it is read (a chunk's checksum).
 */
export const EXIT_PARTIAL = 4;
/** The output could not be written (disk full, I/O error, no permission, no such directory). */
export const EXIT_OUTPUT = 5;
/**
 * The reader of the output went away (EPIPE: `| head`): the run stops at once, quietly, with
 * the status a shell reports for a command ended by SIGPIPE (128 + 13), as grep or jq give.
 */
export const EXIT_PIPE = 141;

/** --ladder selected no connection (no such id, or nothing matches the expression). */
export const EXIT_NO_MATCH = 6;

/**
 * --from-partitions: a map output or bucket file missing or cut short, a manifest, clock file
 * or file header whose checksum does not match, written by another version (partition format
 * or packet layout), or map outputs that disagree (buckets, settings, a capture in two of
 * them). Nothing is written.
 */
export const EXIT_PARTITIONS = 7;

/** The worst of two outcomes. */
export function worst(a: number, b: number): number {
  return Math.max(a, b);
}
