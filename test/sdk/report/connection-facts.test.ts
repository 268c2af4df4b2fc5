// The facts the report and the summary read (connection-facts.ts) are the same whether they come
// from a record or from the tracker's store, connection after connection through one reused
// facts object: the responder's address text it keeps for a connection is that connection's.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { trackConnections } from "../../../sdk/connections/track.js";
import { ConnectionFacts } from "../../../sdk/report/connection-facts.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

describe("connection facts", () => {
  it("read from the store match the record's, addresses and host keys included, for IPv4 and IPv6", async () => {
    const fromStore = new ConnectionFacts(), fromRecord = new ConnectionFacts();
    const versions = new Set<string>();
    for await (const group of trackConnections([SAMPLE], {}, [])) {
      if (!group.inStore) continue;
      const records = group.records;
      for (let k = 0; k < group.count; k++) {
        const a = fromStore.ofStore(group.store(), k), b = fromRecord.ofRecord(records[k]!);
        versions.add(records[k]!.resp.addr.includes(":") ? "6" : "4");
        expect([a.id, a.outcome, a.teardown, a.connState, a.respPort]).toEqual([b.id, b.outcome, b.teardown, b.connState, b.respPort]);
        expect(a.respAddr()).toBe(records[k]!.resp.addr);
        expect(a.respAddr()).toBe(b.respAddr()); // asked again: the same text
        expect(a.respHost()).toEqual(b.respHost());
        expect(a.origHost()).toEqual(b.origHost());
        expect(a.origAddr()).toBe(b.origAddr());
      }
    }
    expect([...versions].sort()).toEqual(["4", "6"]);
  });
});
