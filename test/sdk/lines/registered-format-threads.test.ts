// Line formats a program registers on its main thread alone (sdk/lines/line-formats.ts): the
// SDK's worker script does not have them, so from three threads the workers send their
// connections as bytes and this thread writes the lines with its own registration, merged in the
// canonical order (parallel/ended-line-runs.ts). The same bytes as one thread's at 1 to 4
// threads: a text formatter, a values writer, one with a WebAssembly writer (the command's csv
// rows under a name of the program's), filtered and with the scan's options, on captures written
// by the test helpers and on the corpus.

import { describe, it, expect, vi } from "vitest";
import { createLineScanner, registerLineFormat, type ScanOptions } from "../../../sdk/index.js";
import type { LineSpec } from "../../../sdk/lines/line-formats.js";
import type { CaptureInput } from "../../../sdk/decoder/capture-input.js";
import { EndedLinesWriter } from "../../../sdk/parallel/ended-lines.js";
import { WasmLineWriter } from "../../../sdk/lines/wasm-lines.js";
import { csvRow, csvValuesRow } from "../../../cli/format/connection-csv.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { longHistoryCapture, mixedCapture, tunnelCapture } from "../../helpers/wasm-line-fixtures.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

// Two lines for a connection with a handshake RTT, none for one that was never answered.
registerLineFormat("brief", () => (c) => {
  if (c.connState === "S0") return "";
  const rtt = c.handshake.rttSynToSynAckUs === null ? "" : `  rtt ${c.handshake.rttSynToSynAckUs}\n`;
  return `${c.id} ${c.ts} ${c.orig.addr}:${c.orig.port} > ${c.resp.addr}:${c.resp.port} ${c.connState} ${c.history}\n${rtt}`;
});
// From the record values too (what a scan writes from, no record object).
const SPACE = 0x20, NEWLINE = 0x0a;
registerLineFormat("values", () => (c) => `${c.id} ${c.ts} ${c.connState} ${c.orig.pkts} ${c.resp.bytes}\n`, () => (out, v) => {
  out.num(v.id); out.byte(SPACE); out.utf8(v.ts); out.byte(SPACE); out.utf8(v.connState); out.byte(SPACE);
  out.num(v.orig.pkts); out.byte(SPACE); out.num(v.resp.bytes); out.byte(NEWLINE);
});
// The command's csv rows, which the tracker's WebAssembly csv writer writes byte for byte.
registerLineFormat("rows", () => csvRow, () => csvValuesRow, "csv");

async function lines(input: CaptureInput | CaptureInput[], threads: number, spec: LineSpec, options: ScanOptions = {}, reuse = false): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of createLineScanner(input, { ...options, threads }, spec).chunks({ reuse })) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

/** One thread's lines, checked against 2, 3 and 4 threads'; returns them. */
async function same(input: CaptureInput | CaptureInput[], spec: LineSpec, options: ScanOptions = {}, what = ""): Promise<string> {
  const one = await lines(input, 1, spec, options);
  for (const threads of [2, 3, 4]) expect(await lines(input, threads, spec, options), `${what} ${spec.format} ${spec.filter ?? ""}, ${threads} threads`).toBe(one);
  return one;
}

// Short connections of every ending, IPv4 and IPv6, some VLAN-tagged, over ~9 s of capture time.
function shortConnections(count: number): Uint8Array {
  const { SYN, ACK, FIN, RST, PSH } = F;
  return writePcap(merge(...Array.from({ length: count }, (_, k) => {
    const v6 = k % 7 === 0;
    const c = new Conversation({
      client: v6 ? "2001:db8::c" : `10.1.${(k >> 8) & 255}.${k & 255}`, server: v6 ? "2001:db8::5" : "10.9.0.2", v6,
      vlan: k % 9 === 0 ? 200 : undefined, clientPort: 30000 + k, serverPort: k % 3 === 0 ? 80 : 443, start: 1_700_000_000 + k * 0.003,
    });
    switch (k % 5) {
      case 0: return c.c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 200).s(ACK | PSH, 1400).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
      case 1: return c.c(SYN).s({ flags: RST | ACK, seq: 0 });
      case 2: return c.c(SYN);
      case 3: return c.c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 100).s(ACK | PSH, 1400).s(RST | ACK);
      default: return c.c(ACK | PSH, 300).s(ACK | PSH, 1400).c(ACK);
    }
  })));
}

describe("a line format registered on the main thread alone", () => {
  it("is written at 1 to 4 threads, the same bytes, by this thread from the workers' connection bytes", async () => {
    const capture = shortConnections(3000);
    const onMain = vi.spyOn(EndedLinesWriter.prototype, "lines");
    try {
      const brief = await same(capture, { format: "brief" });
      expect(brief.split("\n").length).toBeGreaterThan(3000); // rtt lines too
      expect(brief).not.toMatch(/ S0 /); // written as nothing
      onMain.mockClear();
      await lines(capture, 3, { format: "brief" });
      expect(onMain).toHaveBeenCalled(); // this thread wrote them: the workers' script has no "brief"
      expect((await same(capture, { format: "values" })).split("\n").length - 1).toBe(3000);
    } finally {
      onMain.mockRestore();
    }
  });

  it("with a WebAssembly writer, is written in WebAssembly by this thread from three threads", async () => {
    const inWasm = vi.spyOn(WasmLineWriter.prototype, "write");
    try {
      for (const capture of [mixedCapture(), tunnelCapture(), longHistoryCapture(600), shortConnections(500)]) {
        const rows = await same(capture, { format: "rows" });
        expect(rows.length).toBeGreaterThan(0);
        inWasm.mockClear();
        await lines(capture, 3, { format: "rows" });
        expect(inWasm).toHaveBeenCalled();
      }
    } finally {
      inWasm.mockRestore();
    }
  });

  it("is the same at any thread count filtered, with chunks({ reuse }), over several inputs and with the scan's options", async () => {
    const capture = shortConnections(2000), tunnels = tunnelCapture();
    for (const format of ["brief", "values", "rows"]) {
      for (const filter of ["state REJ", "port 80 and not ip6", "rtt > 0ms", "retransmissions > 1000"]) {
        const one = await same(capture, { format, filter });
        if (filter === "retransmissions > 1000") expect(one).toBe("");
        else expect(one).not.toBe("");
      }
      const spec = { format };
      const whole = await lines(capture, 1, spec);
      for (const threads of [3, 4]) expect(await lines(capture, threads, spec, {}, true), `reuse, ${threads} threads`).toBe(whole);
      await same([capture, tunnels, capture], spec, {}, "three inputs");
      await same(tunnels, spec, { keyByTunnel: true }, "keyByTunnel");
      const evicting = await same(capture, spec, { maxConnections: 64, maxHalfOpen: 64 }, "bounds");
      expect(evicting).not.toBe(whole); // the bounds ended connections early
      await same(capture, spec, { timeouts: { attempt: 0.001, close: 0.001, inactivity: 0.002 } }, "timeouts");
    }
  }, 180_000);

  it("whose formatter throws: chunks() rejects with its error at 1 to 4 threads, and nothing escapes the scan", async () => {
    // From three threads its lines are written in the listener of the workers' messages: a throw
    // there was an uncaught exception that ended the process.
    registerLineFormat("fails-later", () => (c) => { if (c.id > 40) throw new Error("formatter failed"); return `${c.id}\n`; });
    const uncaught: unknown[] = [];
    const seen = (error: unknown) => { uncaught.push(error); };
    process.on("uncaughtException", seen);
    try {
      for (const threads of [1, 2, 3, 4]) {
        await expect(lines(shortConnections(300), threads, { format: "fails-later" }), `${threads} threads`).rejects.toThrow("formatter failed");
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // a late message from a worker would fail here
    } finally {
      process.off("uncaughtException", seen);
    }
    expect(uncaught).toEqual([]);
  }, 120_000);

  const root = corpusDir();
  it.runIf(root)("is the same at 1 to 4 threads on the corpus captures", async () => {
    // every third capture in each format (each scan past one thread boots workers), then all of them as one scan
    const files = capturesUnder(root!);
    expect(files.length).toBeGreaterThan(20);
    let written = 0;
    for (let k = 0; k < files.length; k += 3) {
      written += (await same(files[k]!, { format: ["brief", "values", "rows"][(k / 3) % 3]! }, {}, files[k])).length;
    }
    expect(written).toBeGreaterThan(0);
    for (const format of ["brief", "values", "rows"]) {
      expect((await same(files, { format }, {}, "the corpus as one scan")).length).toBeGreaterThan(1e4);
    }
  }, 600_000);
});
