// The one-thread ndjson scan's lines written in WebAssembly (sdk/lines/wasm-lines.ts,
// assembly/lines/ndjson.ts, whose rules are a third copy of record-values.ts's): the same bytes
// as the JS writer's on every corpus capture and on the project's own captures (handshakes of
// every outcome, teardowns, options, VLANs, IPv6, retransmissions, a tunnel, times past 2^31 s;
// tunnels and long histories in wasm-lines-tunnels.test.ts), and most lines written in
// WebAssembly, those it does not cover by the JS writer in their place.

import { describe, it, expect } from "vitest";
import { Conversation, merge } from "../../helpers/conversation.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { ethernet, tcpIp, F, type TcpOption } from "../../helpers/packets.js";
import { udpTunnel, vxlan } from "../../helpers/tunnels.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { scanText, wasmWritten as written } from "../../helpers/wasm-line-scan.js";

const ndjson = (input: Parameters<typeof scanText>[0], wasm: boolean) => scanText(input, "ndjson", wasm);

const OPTIONS: TcpOption[] = [{ kind: "mss", value: 1460 }, { kind: "wscale", shift: 7 }, { kind: "sackPermitted" }, { kind: "timestamps", value: 1, echo: 0 }];

function fixtures(): Frame[] {
  const complete = new Conversation({ clientPort: 40001 })
    .c({ flags: F.SYN, options: OPTIONS }).s({ flags: F.SYN | F.ACK, options: OPTIONS }).c(F.ACK)
    .c(F.ACK | F.PSH, 300).s(F.ACK, 0).s(F.ACK | F.PSH, 1200).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK);
  const rejected = new Conversation({ v6: true, clientPort: 40002 }).c(F.SYN).s(F.RST | F.ACK);
  const unanswered = new Conversation({ clientPort: 40003, vlan: 12 }).c(F.SYN).c({ flags: F.SYN, dt: 1000 }).c({ flags: F.SYN, dt: 2000 });
  const tfo = new Conversation({ clientPort: 40004 })
    .c({ flags: F.SYN, payload: 20, options: [{ kind: "tfo", cookie: new Uint8Array(8) }] }).s(F.SYN | F.ACK).c(F.ACK).c(F.RST);
  const simultaneous = new Conversation({ clientPort: 40005, serverPort: 40006 }).c(F.SYN).s(F.SYN).c(F.SYN | F.ACK).s(F.SYN | F.ACK);
  const midStream = new Conversation({ clientPort: 40007, serverPort: 443 }).c(F.ACK | F.PSH, 100).c(F.ACK | F.PSH, 100).c(F.FIN | F.ACK);
  // retransmissions and repeated data both ways
  const chatty = new Conversation({ clientPort: 40008 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
  for (let i = 0; i < 40; i++) { chatty.c(F.ACK | F.PSH, 10 + i); chatty.s(F.ACK | F.PSH, 20 + i); chatty.c({ flags: F.ACK, seq: 1001, payload: 5 }); }
  chatty.c(F.RST | F.ACK);
  const v6 = new Conversation({ v6: true, client: "2001:db8:0:0:1::c", server: "::ffff:10.1.2.3", clientPort: 40009 })
    .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).s(F.FIN | F.ACK).c(F.ACK);
  const frames = merge(complete, rejected, unanswered, tfo, simultaneous, midStream, chatty, v6);
  // one connection inside VXLAN
  const ends = { src: "192.0.2.1", dst: "192.0.2.2" };
  const inner = ethernet(tcpIp({ src: "10.9.0.1", dst: "10.9.0.2", sport: 40010, dport: 80, flags: F.SYN }));
  frames.push({ data: ethernet(udpTunnel(ends, 5555, 4789, vxlan(7, inner))), sec: 1_700_000_100, nsec: 0 });
  return frames;
}

describe("ndjson lines written in WebAssembly", () => {
  it("are the JS writer's bytes on the project's own captures, most written in wasm", async () => {
    const capture = writePcap(fixtures());
    const js = await ndjson(capture, false);
    expect(js.split("\n").length).toBeGreaterThan(9);
    expect(await ndjson(capture, true)).toBe(js);
    const { wasm, all } = await written(capture);
    expect(wasm).toBeGreaterThan(all / 2);
    expect(wasm).toBe(all); // the tunnel's line too
  });

  it("are the JS writer's bytes past 2^31 seconds, where the JS writes every line", async () => {
    const late = new Conversation({ start: 2_200_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const capture = writePcap(late.frames);
    expect(await ndjson(capture, true)).toBe(await ndjson(capture, false));
    expect((await written(capture)).wasm).toBe(0);
  });

  it("are the JS writer's bytes on every corpus capture", async (ctx) => {
    const dir = corpusDir();
    if (!dir) return ctx.skip();
    let wasm = 0;
    for (const file of capturesUnder(dir)) {
      expect(await ndjson(file, true), file).toBe(await ndjson(file, false));
    }
    for (const file of capturesUnder(dir).slice(0, 40)) wasm += (await written(file).catch(() => ({ wasm: 0 }))).wasm;
    expect(wasm).toBeGreaterThan(0);
  }, 600_000);
});
