// peekFirstTimestamp: the first packet's time, from the start of the capture only, whether or
// not that packet (or any packet) is TCP.

import { describe, it, expect } from "vitest";
import { peekFirstTimestamp } from "../../../sdk/index.js";
import { ethernet, ipv4, tcpIp, F } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";

function udpOnly(count: number): Uint8Array {
  const frames = Array.from({ length: count }, (_, i) => ({
    data: ethernet(ipv4({ protocol: 17 }, new Uint8Array(8 + 1000))),
    sec: 1_700_000_100 + i,
    nsec: 250_000,
  }));
  return writePcap(frames);
}

async function* chunks(bytes: Uint8Array, size: number, pulled: { count: number }): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    pulled.count++;
    yield bytes.subarray(at, at + size);
  }
}

describe("peekFirstTimestamp", () => {
  it("reads only the start of a capture without any TCP", async () => {
    const bytes = udpOnly(4000); // ~4 MB
    const pulled = { count: 0 };
    const first = await peekFirstTimestamp(chunks(bytes, 64 << 10, pulled));
    expect(first).toEqual({ sec: 1_700_000_100, nsec: 250_000 });
    expect(pulled.count).toBeLessThanOrEqual(2);
  });

  it("gives the first packet's time when it is TCP, and null for an empty capture", async () => {
    const tcp = writePcap([{ data: ethernet(tcpIp({ flags: F.SYN })), sec: 1_600_000_000, nsec: 5_000 }]);
    expect(await peekFirstTimestamp(tcp)).toEqual({ sec: 1_600_000_000, nsec: 5_000 });
    expect(await peekFirstTimestamp(writePcap([]))).toBeNull();
  });
});
