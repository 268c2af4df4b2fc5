// A SYN flood: every half-open connection comes out (by the attempt timer while the capture
// goes on, the rest at its end), none is lost, and the store recycles slots as they time out.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScanner } from "../../../sdk/index.js";
import { writeSynFlood } from "../../../bench/flood.js";

describe("SYN flood", () => {
  it("emits every half-open connection as S0, timed out or at the end, with bounded open connections", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-flood-test-")), "flood.pcap");
    const syns = 60_000, rate = 2_000; // 30 s of capture time: at most ~10 000 open at once
    writeSynFlood(path, syns, rate);
    let emitted = 0, timedOut = 0;
    const ids = new Set<number>();
    for await (const c of createScanner(path)) {
      emitted++;
      ids.add(c.id);
      expect(c.connState).toBe("S0");
      if (c.teardown.kind === "timeout") timedOut++;
    }
    expect(emitted).toBe(syns);
    expect(ids.size).toBe(syns);
    expect(timedOut).toBeGreaterThan(syns - rate * 6); // all but the last ~5 s timed out
  });
});
