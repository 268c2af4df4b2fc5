import { describe, it, expect } from "vitest";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { realPath, repeatedFile } from "../../sdk/file-identity.js";

const dir = mkdtempSync(join(tmpdir(), "ths-file-identity-"));
const a = join(dir, "a.pcap"), b = join(dir, "b.pcap"), link = join(dir, "link.pcap");
writeFileSync(a, "a");
writeFileSync(b, "b");
symlinkSync(a, link);

describe("file identity", () => {
  it("repeatedFile: the first file named again, however spelled; missing files never match", () => {
    expect(repeatedFile([a, b])).toBeNull();
    expect(repeatedFile([a, b, `${dir}/./a.pcap`])).toEqual([0, 2]);
    expect(repeatedFile([b, link, a])).toEqual([1, 2]);
    expect(repeatedFile([join(dir, "missing"), join(dir, "missing")])).toBeNull();
  });

  it("realPath: links followed; a path that is not there, absolute", () => {
    expect(realPath(link)).toBe(realPath(a));
    expect(realPath("no/such/file")).toBe(resolve("no/such/file"));
  });
});
