// The command's line formats by name, and the switch back to their JavaScript writers: apart
// from line-formats.ts (which registers the csv and zeek writers) so that the command's entry
// (bin.ts, compile-flags.ts) can read them without loading those writers.

/** The command's formats written one line per connection. */
export type LineFormat = "ndjson" | "csv" | "zeek";

export function isLineFormat(format: string): format is LineFormat {
  return format === "ndjson" || format === "csv" || format === "zeek";
}

/** TCP_SCAN_WASM_LINES=0: the JavaScript line writer throughout, to compare (docs/benchmarks.md, round 16). */
export function jsLineWriterAsked(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TCP_SCAN_WASM_LINES === "0";
}
