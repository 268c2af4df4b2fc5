// A group of ended connections unpacked into a reused store (ended-group.ts): its records and
// lines come from the store while it is the latest group; once the next group is unpacked into
// the same store, reading the earlier one throws instead of reading the next one's connections.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { trackConnections } from "../../../sdk/connections/track.js";
import { EndedGroup, GroupStore } from "../../../sdk/connections/ended-group.js";
import { scan } from "../../../sdk/index.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

describe("an ended group", () => {
  it("gives the records scan() gives, group by group", async () => {
    const records = [];
    for await (const group of trackConnections([SAMPLE], {}, [])) {
      expect(group.records.length).toBe(group.count);
      for (let k = 0; k < group.count; k++) expect(Math.floor(group.key(k))).toBe(group.records[k]!.id);
      records.push(...group.records);
    }
    expect(records).toEqual((await scan(SAMPLE)).connections);
  });

  it("refuses to be read once the next group is unpacked into its store", () => {
    const unpacked = new GroupStore(4);
    const first = EndedGroup.ofStore(unpacked, [0]);
    EndedGroup.ofStore(unpacked, [1]);
    expect(() => first.records).toThrow(/after the next one/);
    expect(() => first.key(0)).toThrow(/after the next one/);
  });
});
