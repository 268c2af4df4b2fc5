// The message when a bundled .wasm cannot be read names the cause.

import { describe, it, expect } from "vitest";
import { wasmFileError } from "../../sdk/wasm-file-error.js";

const err = (props: Record<string, string>) => Object.assign(new Error(props.message ?? "x"), props);

describe("wasmFileError", () => {
  it("says the build is missing only when every path is missing", () => {
    expect(wasmFileError("decoder.wasm", [err({ code: "ENOENT" }), err({ code: "ENOENT" })]).message).toMatch(/^decoder\.wasm not found \(run "npm run build"\)/);
    expect(wasmFileError("decoder.wasm", [err({ name: "NotFound" })]).message).toMatch(/not found/);
  });

  it("says read permission is needed for Deno's NotCapable / PermissionDenied and for EACCES", () => {
    for (const e of [err({ name: "NotCapable" }), err({ name: "PermissionDenied" }), err({ code: "EACCES" })]) {
      expect(wasmFileError("tracker.wasm", [err({ code: "ENOENT" }), e]).message).toMatch(/^cannot read tracker\.wasm: read permission is needed \(under Deno, run with --allow-read\)/);
    }
  });

  it("passes anything else on as it is", () => {
    expect(wasmFileError("decoder.wasm", [err({ code: "EIO", message: "i/o" })]).message).toBe("cannot read decoder.wasm: Error: i/o");
  });
});
