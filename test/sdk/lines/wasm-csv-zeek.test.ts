// The one-thread csv and zeek scans' rows written in WebAssembly (assembly/lines/csv.ts, zeek.ts;
// sdk/lines/wasm-lines.ts): the same bytes as the command's JS writers (cli/format/
// csv-values-row.ts, zeek-values-row.ts) on the project's own captures (every outcome, options,
// VLANs, IPv6, tunnels of every kind, long histories, times past 2^31 s, a duration toFixed must
// round from a tie) and on every corpus capture, with most rows written in WebAssembly. The zeek
// rows' uids hash with the WebAssembly SHA-256 (every row's, every tunnel parent's).

import { describe, it, expect } from "vitest";
import { Conversation } from "../../helpers/conversation.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { ethernet, tcpIp, F } from "../../helpers/packets.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { scanText, wasmWritten } from "../../helpers/wasm-line-scan.js";
import { longHistoryCapture, mixedCapture, tunnelCapture } from "../../helpers/wasm-line-fixtures.js";
import { wasmLineFormat } from "../../../sdk/lines/line-formats.js";

/** A connection of `nanos` ns between its first and last packet, starting `start` ns into a second. */
function lasting(nanos: number, clientPort: number, start = 0) {
  const tcp = { src: "10.3.0.1", dst: "10.3.0.2", sport: clientPort, dport: 80 };
  const end = start + nanos;
  return [
    { data: ethernet(tcpIp({ ...tcp, flags: F.SYN, seq: 1 })), sec: 1_700_000_000, nsec: start },
    { data: ethernet(tcpIp({ ...tcp, flags: F.SYN, seq: 1 })), sec: 1_700_000_000 + Math.floor(end / 1e9), nsec: end % 1e9 },
  ];
}

for (const format of ["csv", "zeek"] as const) {
  describe(`${format} rows written in WebAssembly`, () => {
    it("are what the scan writes at one thread, unfiltered", () => {
      expect(wasmLineFormat({ format })).toBe(format);
      expect(wasmLineFormat({ format, filter: "port 80" })).toBeUndefined();
    });

    it("are the JS writer's bytes on the project's own captures", async () => {
      for (const [capture, declined] of [[mixedCapture(), 0], [tunnelCapture(), 0], [longHistoryCapture(60), 0], [longHistoryCapture(600), 1]] as const) {
        const js = await scanText(capture, format, false);
        expect(js.split("\n").length).toBeGreaterThan(2); // the rows (the command adds the header)
        expect(await scanText(capture, format, true)).toBe(js);
        const { wasm, all } = await wasmWritten(capture, format);
        expect(wasm).toBe(all - declined);
      }
    });

    it("leave times past 2^31 s to the JS writer, and in zeek a duration ending in half a microsecond", async () => {
      const late = writePcap(new Conversation({ start: 2_200_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).frames);
      expect(await scanText(late, format, true)).toBe(await scanText(late, format, false));
      expect((await wasmWritten(late, format)).wasm).toBe(0);
      // 1.5 us and 2.0000005 s: toFixed(6) rounds the double, not the nanoseconds (zeek's duration is
      // the difference of times cut to the microsecond, no rounding); the second's largest gap,
      // 2 000 000.5 us, is a number only String() writes (both formats decline it)
      const durations = writePcap([...lasting(1_500, 41001), ...lasting(2_000_000_500, 41002), ...lasting(1_400, 41003), ...lasting(3e9, 41004)]
        .sort((a, b) => a.sec - b.sec || a.nsec - b.nsec), { nanosecond: true });
      const js = await scanText(durations, format, false);
      expect(await scanText(durations, format, true)).toBe(js);
      const { wasm, all } = await wasmWritten(durations, format);
      expect(all).toBe(4);
      expect(wasm).toBe(3);
    });

    if (format === "zeek") {
      it("give the duration of the times cut to the microsecond, as Zeek reads a nanosecond capture", async () => {
        // .000100900 to .000905000: 0.000805 by Zeek's clock (0.000804100 exactly); 100 to 400 ns:
        // the same microsecond, 0 s, so the duration and byte counts unset; 2.0000005 s from
        // .000000600: 2.000001 (cut .000000 to .000001100 → 2.000001).
        const capture = writePcap([...lasting(804_100, 41001, 100_900), ...lasting(300, 41002, 100), ...lasting(2_000_000_500, 41003, 600)]
          .sort((a, b) => a.sec - b.sec || a.nsec - b.nsec), { nanosecond: true });
        const rows = (await scanText(capture, format, true)).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
        const byPort = Object.fromEntries(rows.map((r) => r.split("\t")).map((cells) => [cells[3], cells.slice(8, 11)]));
        expect(byPort).toEqual({ 41001: ["0.000805", "0", "0"], 41002: ["-", "-", "-"], 41003: ["2.000001", "0", "0"] });
        expect(await scanText(capture, format, false)).toBe(await scanText(capture, format, true));
        // The third's largest gap, 2 000 000.5 us, is the JS writer's (as above).
        expect(await wasmWritten(capture, format)).toEqual({ wasm: 2, all: 3 });
      });
    }

    it("are the JS writer's bytes on every corpus capture", async (ctx) => {
      const dir = corpusDir();
      if (!dir) return ctx.skip();
      let wasm = 0, all = 0;
      for (const file of capturesUnder(dir)) {
        expect(await scanText(file, format, true), file).toBe(await scanText(file, format, false));
        const counts = await wasmWritten(file, format).catch(() => ({ wasm: 0, all: 0 }));
        wasm += counts.wasm;
        all += counts.all;
      }
      expect(wasm).toBeGreaterThan(all * 0.9);
    }, 600_000);
  });
}
