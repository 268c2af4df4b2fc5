// Built-in modules loaded on first use (sdk/builtins.ts): a scan whose lines are written in
// WebAssembly (Community IDs and Zeek's uids hashed there) does not load node:crypto at all (it
// cost every run's start ~6 ms), and the runs that hash in JavaScript still do.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as crypto from "node:crypto";
import * as tty from "node:tty";
import { digest, nodeCrypto, nodeTty } from "../../sdk/builtins.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "dist/cli/bin.cjs");
const SAMPLE = join(ROOT, "examples/sample.pcap");

// Runs the command with a preload that writes, at exit, whether node:crypto was loaded.
function cryptoLoaded(args: string[]): { loaded: boolean; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), "builtins-"));
  const preload = join(dir, "loaded.cjs");
  writeFileSync(preload, `process.on("exit", () => require("fs").writeSync(2, "crypto:" + process.moduleLoadList.includes("NativeModule crypto") + "\\n"));`);
  const r = spawnSync(process.execPath, ["--require", preload, BIN, ...args], { encoding: "utf8", cwd: dir });
  return { loaded: /crypto:true/.test(r.stderr), status: r.status };
}

describe("built-in modules loaded on first use", () => {
  it("are the modules themselves", () => {
    expect(nodeCrypto().createHash).toBe(crypto.createHash);
    expect(nodeTty().isatty).toBe(tty.isatty);
  });

  it("digest() gives what createHash gives, in each encoding, for text and bytes", () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    for (const algorithm of ["sha1", "sha256"]) {
      for (const data of ["1:a|b|3", bytes]) {
        const want = crypto.createHash(algorithm).update(data).digest();
        expect(digest(algorithm, data, "buffer").equals(want)).toBe(true);
        expect(digest(algorithm, data, "base64")).toBe(want.toString("base64"));
        expect(digest(algorithm, data, "hex")).toBe(want.toString("hex"));
      }
    }
  });

  it("leave node:crypto unloaded by a scan that writes ndjson or Zeek's log to a device", () => {
    expect(cryptoLoaded(["--format", "ndjson", "-o", "/dev/null", SAMPLE])).toEqual({ loaded: false, status: 0 });
    expect(cryptoLoaded(["--format", "zeek", "-o", "/dev/null", SAMPLE])).toEqual({ loaded: false, status: 0 });
  });

  it("load it where a run hashes in JavaScript: records' Community IDs, an -o file's temporary name", () => {
    expect(cryptoLoaded(["--format", "json", "-o", "/dev/null", SAMPLE])).toEqual({ loaded: true, status: 0 });
    expect(cryptoLoaded(["--format", "ndjson", "-o", "out.ndjson", SAMPLE])).toEqual({ loaded: true, status: 0 });
  });
});
