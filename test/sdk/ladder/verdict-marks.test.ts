// The analysis marks of one packet in the order tshark's Info column shows them: Wireshark's
// dissector puts each mark in front of the column as it adds it, so they read in the reverse of
// the order it adds them (pairs below as tshark 4.0 printed them on crafted and corpus captures).

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as A from "../../../assembly/analysis-layout.js";
import { verdictMarks } from "../../../sdk/ladder/verdict-marks.js";
import { captureLadders, compileFilter, renderLadder } from "../../../sdk/index.js";
import { corpusDir } from "../../helpers/decode.js";

describe("verdictMarks", () => {
  it("orders two marks as tshark's Info column does", () => {
    expect(verdictMarks(A.V_ZERO_WINDOW | A.V_ACKED_UNSEEN)).toBe("[TCP ZeroWindow] [TCP ACKed unseen segment]");
    expect(verdictMarks(A.V_ZERO_WINDOW | A.V_LOST_SEGMENT)).toBe("[TCP ZeroWindow] [TCP Previous segment not captured]");
    expect(verdictMarks(A.V_ZERO_WINDOW | A.V_ZERO_WINDOW_PROBE_ACK)).toBe("[TCP ZeroWindowProbeAck] [TCP ZeroWindow]");
    expect(verdictMarks(A.V_LOST_SEGMENT | A.V_ACKED_UNSEEN)).toBe("[TCP ACKed unseen segment] [TCP Previous segment not captured]");
    expect(verdictMarks(A.V_DUP_ACK | A.V_ZERO_WINDOW, 5, 2)).toBe("[TCP ZeroWindow] [TCP Dup ACK 5#2]");
    expect(verdictMarks(A.V_DUP_ACK | A.V_KEEP_ALIVE_ACK, 5, 1)).toBe("[TCP Dup ACK 5#1] [TCP Keep-Alive ACK]");
  });

  it("a packet with two marks keeps its whole label in the ladder (it was cut before Win and Len), as tshark's Info has it", async (ctx) => {
    const dir = corpusDir();
    if (!dir) return ctx.skip();
    const file = join(dir, "real", "good", "ppp__tls2.pcap");
    const { ladders } = await captureLadders(file, compileFilter("id 2"));
    const row = renderLadder(ladders[0]!).split("\n").find((l) => /^ +126 /.test(l))!;
    const label = /\|-+ (.+?) -*>\|/.exec(row)![1]!;
    expect(label).toBe("[TCP ACKed unseen segment] [TCP Previous segment not captured] [PSH, ACK] Seq=6253 Ack=1284181 Win=6158 Len=39");
    const tshark = spawnSync("tshark", ["-n", "-r", file, "-Y", "frame.number == 126", "-T", "fields", "-e", "_ws.col.Info"], { encoding: "utf8" });
    if (tshark.status === 0) expect(tshark.stdout).toContain("[TCP ACKed unseen segment] [TCP Previous segment not captured] ");
  });
});
