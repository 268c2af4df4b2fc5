// registerLineFormat's arguments are checked when a format is registered (sdk/lines/line-formats.ts).

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { createLineScanner, registerLineFormat, type ConnectionRecord } from "../../../sdk/index.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const ids = () => (c: ConnectionRecord) => `${c.id}\n`;

async function text(format: string): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of createLineScanner(SAMPLE, {}, { format }).chunks()) parts.push(Buffer.from(chunk).toString("utf8"));
  return parts.join("");
}

describe("registerLineFormat", () => {
  it("refuses a WebAssembly writer the tracker does not have, rather than writing ndjson for the format", async () => {
    expect(() => registerLineFormat("ids-typo", ids, undefined, "CSV" as never)).toThrow(TypeError);
    expect(() => registerLineFormat("ids-typo", ids, undefined, "xml" as never)).toThrow(/^wasm must be "ndjson", "csv" or "zeek" \(the tracker's writers\), not "xml"$/);
    // Not registered by the refused calls.
    expect(() => createLineScanner(SAMPLE, {}, { format: "ids-typo" })).toThrow(/no line format "ids-typo"/);
    expect(() => createLineScanner(SAMPLE, {}, { format: "ids-typo" })).toThrow(RangeError); // a value out of those registered
  });

  it("refuses a name, a formatter or a values writer of the wrong kind, naming it", () => {
    expect(() => registerLineFormat("", ids)).toThrow(/^name must be a format's name, not ""$/);
    expect(() => registerLineFormat(7 as never, ids)).toThrow(TypeError);
    expect(() => registerLineFormat("ids-bad", 5 as never)).toThrow(/^make must be a function returning a formatter, not 5$/);
    expect(() => registerLineFormat("ids-bad", ids, {} as never)).toThrow(/^makeValues must be a function returning a values writer, not object$/);
  });

  it("a formatter that returns no string, or a maker that returns no formatter, is a TypeError naming the format", async () => {
    registerLineFormat("ids-number", () => (c: ConnectionRecord) => c.id as never);
    await expect(text("ids-number")).rejects.toThrow(new TypeError('line format "ids-number": its formatter must return a string (the line), not number'));
    registerLineFormat("ids-no-formatter", () => "x" as never);
    await expect(text("ids-no-formatter")).rejects.toThrow(new TypeError('line format "ids-no-formatter": make() must return a formatter function, not string'));
  });

  it("takes a well-formed registration, which writes the format's lines", async () => {
    registerLineFormat("ids-ok", ids);
    expect(await text("ids-ok")).toBe("1\n11\n21\n31\n33\n39\n47\n61\n65\n");
  });
});
