// What a bug prints: the version, Node and platform, the message and a short stack.

import { describe, it, expect } from "vitest";
import { internalErrorMessage } from "../../cli/internal-error.js";

describe("internal error message", () => {
  it("names the version and Node, and keeps the stack short", () => {
    const deep = (n: number): never => { if (n === 0) throw new TypeError("x is undefined"); return deep(n - 1); };
    let error: unknown;
    try { deep(30); } catch (e) { error = e; }
    const lines = internalErrorMessage(error, "1.2.3").trimEnd().split("\n");
    expect(lines[0]).toBe("tcp-handshake-scan: internal error (a bug: please report it with this message): TypeError: x is undefined");
    expect(lines[1]).toBe(`  tcp-handshake-scan 1.2.3, Node ${process.version}, ${process.platform}-${process.arch}`);
    const frames = lines.filter((l) => l.startsWith("    at "));
    expect(frames.length).toBe(8);
    expect(lines.length).toBeLessThanOrEqual(11);
  });

  it("takes what is thrown even when it is not an Error", () => {
    expect(internalErrorMessage("oops", "1.0.0").split("\n")[0]).toBe("tcp-handshake-scan: internal error (a bug: please report it with this message): Error: oops");
  });
});
