// --local-nets: the site's own networks in the zeek format's local_orig and local_resp, the same
// rows from a scan at one and two threads, from either writer (WebAssembly or JavaScript), and
// from the reduce tasks of a partitioned scan; a usage error with any other output, or a list
// that holds no network.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "../helpers/partition-cli.js";
import { writePcap } from "../helpers/capture-writer.js";
import { Conversation, merge } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";

const { SYN, ACK, FIN } = F;
const dir = mkdtempSync(join(tmpdir(), "ths-local-nets-"));
const capture = join(dir, "site.pcap");
// Routable addresses (none in Zeek's private space), some in the site's 192.0.3.0/24 and
// 2606:4700::/32, on either side.
const pairs: [string, string][] = [
  ["192.0.3.10", "8.8.8.8"], ["192.0.4.10", "8.8.4.4"], ["2606:4700::10", "2001:4860::8888"], ["9.9.9.9", "192.0.3.20"],
  ["2001:4860::1", "2606:4700:1::1"], ["1.1.1.1", "8.8.8.8"],
];
writeFileSync(capture, writePcap(merge(...pairs.map(([client, server], k) =>
  new Conversation({ client, server, v6: client.includes(":"), clientPort: 40_000 + k, start: 1_700_000_000 + k }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK)))));
const NETS = "192.0.3.0/24, 2606:4700::/32";

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The rows' addresses and local_orig, local_resp. */
const locals = (zeek: string) => zeek.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t")).map((c) => [c[2], c[4], c[12], c[13]].join(" "));

describe("--local-nets", () => {
  it("counts the site's networks local in the zeek rows, beside the private address space", () => {
    const plain = run([capture, "--format", "zeek"]);
    expect(plain.code).toBe(0);
    expect(locals(plain.stdout)).toEqual([
      "192.0.3.10 8.8.8.8 F F", "192.0.4.10 8.8.4.4 F F", "2606:4700::10 2001:4860::8888 F F", "9.9.9.9 192.0.3.20 F F",
      "2001:4860::1 2606:4700:1::1 F F", "1.1.1.1 8.8.8.8 F F",
    ]);
    const site = run([capture, "--format", "zeek", "--local-nets", NETS]);
    expect(site.stderr).toBe("");
    expect(locals(site.stdout)).toEqual([
      "192.0.3.10 8.8.8.8 T F", "192.0.4.10 8.8.4.4 F F", "2606:4700::10 2001:4860::8888 T F", "9.9.9.9 192.0.3.20 F T",
      "2001:4860::1 2606:4700:1::1 F T", "1.1.1.1 8.8.8.8 F F",
    ]);
    // Nothing else changes.
    const strip = (zeek: string) => zeek.split("\n").filter((l) => !l.startsWith("#open") && !l.startsWith("#close")).map((l) => l.split("\t").filter((_, k) => k !== 12 && k !== 13).join("\t"));
    expect(strip(site.stdout)).toEqual(strip(plain.stdout));
    // Either writer, any thread count; an option order.
    const rows = locals(site.stdout);
    for (const [threads, wasm] of [["2", "1"], ["1", "0"], ["2", "0"]] as const) {
      const other = run(["--local-nets", NETS, "--threads", threads, "--format", "zeek", capture], { TCP_SCAN_WASM_LINES: wasm });
      expect(locals(other.stdout), `${threads} ${wasm}`).toEqual(rows);
    }
  });

  it("gives the reduce tasks' rows the scan's", () => {
    const parts = join(dir, "parts");
    expect(run(["partition", "--buckets", "2", "-o", parts, capture]).code).toBe(0);
    const reduced = [0, 1].flatMap((b) => locals(run(["--from-partitions", parts, "--bucket", String(b), "--format", "zeek", "--local-nets", NETS]).stdout));
    expect(reduced.sort()).toEqual(locals(run([capture, "--format", "zeek", "--local-nets", NETS]).stdout).sort());
  });

  it("is a usage error with another output, or a list holding no network: one line, exit 2", () => {
    for (const [args, line] of [
      [["--format", "csv"], "--local-nets says what the zeek format's local_orig and local_resp count as local: not with --format csv"],
      [[], "--local-nets says what the zeek format's local_orig and local_resp count as local: not with --format text"],
      [["--ladder", "1"], "--local-nets says what the zeek format's local_orig and local_resp count as local: not with --ladder"],
    ] as const) {
      const r = run([capture, ...args, "--local-nets", NETS]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`tcp-handshake-scan: ${line}\n`);
    }
    for (const bad of ["10.0.0.0/33", "", "10.0.0.0/8,,", "example.com"]) {
      const r = run([capture, "--format", "zeek", "--local-nets", bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^tcp-handshake-scan: --local-nets: ".*" is not a network \(a prefix like 203\.0\.113\.0\/24 or 2001:db8::\/32, or an address\)\n$/);
    }
    const many = Array.from({ length: 257 }, (_, k) => `10.${k >> 8}.${k & 255}.0/24`).join(",");
    expect(run([capture, "--format", "zeek", "--local-nets", many]).stderr).toBe("tcp-handshake-scan: --local-nets: 257 networks, at most 256\n");
  });
});
