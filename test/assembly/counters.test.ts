import { describe, it, expect } from "vitest";
import { tcpIp, ethernet, F } from "../helpers/packets.js";
import { writePcap } from "../helpers/capture-writer.js";
import { decodeAll } from "../helpers/decode.js";
import { TS_FAR_SECONDS } from "../../assembly/layout.js";

// Times are kept as float seconds from the first packet's (assembly/counters.ts): a packet
// 2^21 s or more from it is said, since durations and round trips there lose nanoseconds.
const frame = (sport: number) => ethernet(tcpIp({ sport, flags: F.ACK }));
const RECORD = 16;

describe("timestamps far from the first packet's", () => {
  it("are counted from 2^21 s away, either way, with the first one's offset and frame and the farthest one's distance", async () => {
    const first = 2 ** 22;
    const bytes = writePcap([
      { data: frame(1), sec: first },
      { data: frame(2), sec: first + TS_FAR_SECONDS - 1, nsec: 999_999_000 }, // just inside
      { data: frame(3), sec: first + TS_FAR_SECONDS }, // the first far one
      { data: frame(4), sec: first - TS_FAR_SECONDS - 5 }, // far before
      { data: frame(5), sec: first + 10 },
    ]);
    const { records, summary } = await decodeAll(bytes);
    expect(records).toHaveLength(5);
    const size = RECORD + frame(1).length;
    expect(summary.warnings).toEqual([{
      code: "capture.timestamp_far_from_first", count: 2, offset: 24 + 2 * size, packet: 3,
      message: "timestamps up to 24.3 days before the first packet's: times this far from it are kept to ~0.5 ns, " +
        "so durations and round trips of connections there may be off by that much (handshake round trips are given to 0.1 us there)",
    }]);
  });

  it("names the precision lost: a quarter of a microsecond at 45 years", async () => {
    const bytes = writePcap([{ data: frame(1), sec: 5 }, { data: frame(2), sec: 1418145369 }]);
    const { summary } = await decodeAll(bytes);
    expect(summary.warnings[0]!.message).toMatch(/^timestamps up to 16413\.7 days after the first packet's: .* kept to ~238 ns,/);
  });

  it("names the farthest one's precision, not the first's", async () => {
    const bytes = writePcap([
      { data: frame(1), sec: 5 },
      { data: frame(2), sec: 2 ** 22 }, // the first far one: ~0.9 ns
      { data: frame(3), sec: 4_000_000_005 }, // farther: ~477 ns
      { data: frame(4), sec: 2 ** 30 },
    ]);
    const { summary } = await decodeAll(bytes);
    expect(summary.warnings).toMatchObject([{ count: 3, packet: 2 }]);
    expect(summary.warnings[0]!.message).toMatch(/^timestamps up to 46296\.3 days after the first packet's: .* kept to ~477 ns,/);
  });

  it("are not said for a capture within 24 days", async () => {
    const bytes = writePcap([{ data: frame(1), sec: 1_700_000_000 }, { data: frame(2), sec: 1_700_000_000 + 86400 * 24 }]);
    expect((await decodeAll(bytes)).summary.warnings).toEqual([]);
  });
});
