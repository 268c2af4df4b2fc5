// The csv's numbers are never in exponent form: plainNumber moves String()'s point, and a
// connection shorter than a microsecond (a nanosecond capture) gets a duration a csv reader
// takes for a number, the same at one thread and three (workers writing the rows).

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasExponent, plainNumber } from "../../../cli/format/plain-number.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { ethernet, tcpIp, F } from "../../helpers/packets.js";

const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));

describe("plainNumber", () => {
  it("writes String()'s digits with the point moved, for magnitudes String() writes with an exponent", () => {
    expect(plainNumber(1e-7)).toBe("0.0000001");
    expect(plainNumber(5e-9)).toBe("0.000000005");
    expect(plainNumber(1.25e-7)).toBe("0.000000125");
    expect(plainNumber(-2.5e-8)).toBe("-0.000000025");
    expect(plainNumber(1e21)).toBe("1000000000000000000000");
    expect(plainNumber(1.5e22)).toBe("15000000000000000000000");
    expect(plainNumber(-1.234e21)).toBe("-1234000000000000000000");
    for (const n of [1e-7, 5e-9, 1.25e-7, -2.5e-8, 1e21, 1.5e22, 123456789e-15]) expect(Number(plainNumber(n))).toBe(n);
  });

  it("leaves every other number as String() writes it", () => {
    for (const n of [0, -0, 1, 0.000001, 0.5, 1234.5678, 0.30000000000000004, 1e20, NaN, Infinity, -Infinity]) {
      expect(plainNumber(n)).toBe(String(n));
      expect(hasExponent(n)).toBe(false);
    }
    expect(hasExponent(1e-7)).toBe(true);
    expect(hasExponent(1e21)).toBe(true);
  });
});

describe("--format csv", () => {
  it("gives a connection of 100 ns a duration of 0.0000001, not 1e-7, at one thread and three", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-csv-"));
    const file = join(dir, "nano.pcap");
    const server = { sport: 80, dport: 40000, src: "10.0.0.2", dst: "10.0.0.1" };
    writeFileSync(file, writePcap([
      { data: ethernet(tcpIp({ flags: F.SYN, seq: 100 })), sec: 1700000000, nsec: 100 },
      { data: ethernet(tcpIp({ ...server, flags: F.SYN | F.ACK, seq: 500, ack: 101 })), sec: 1700000000, nsec: 150 },
      { data: ethernet(tcpIp({ flags: F.ACK, seq: 101, ack: 501 })), sec: 1700000000, nsec: 170 },
      { data: ethernet(tcpIp({ flags: F.RST | F.ACK, seq: 101, ack: 501 })), sec: 1700000000, nsec: 200 },
    ], { nanosecond: true }));
    for (const threads of ["1", "3"]) {
      const r = spawnSync(process.execPath, [BIN, "--format", "csv", "--threads", threads, file], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const [header, row] = r.stdout.split("\r\n");
      const cells = row!.split(",");
      expect(cells[header!.split(",").indexOf("duration")]).toBe("0.0000001");
      expect(r.stdout).not.toMatch(/\de[-+]?\d/);
    }
  });
});
