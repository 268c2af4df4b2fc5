// The map outputs a reduce reads together must have been decoded alike: they are compared by
// what their settings do, not by how they were spelled. The same settings given in another
// order, or a default given explicitly, are one run; settings that decode otherwise are refused.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  scan, partitionCaptures, createBucketScanner, openPartitionSet, PartitionError, type ConnectionRecord, type TunnelPorts,
} from "../../../sdk/index.js";
import { writeRotatedCaptures } from "../../helpers/rotated-captures.js";

const dir = mkdtempSync(join(tmpdir(), "ths-map-outputs-"));
let files: string[];

beforeAll(() => { files = writeRotatedCaptures(dir, { files: 2, bytes: 1e6, seed: 5 }); }, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Decoding { tunnelPorts?: TunnelPorts; maxTunnelDepth?: number }

/** Two map tasks, one per file, decoded with `first` and `second`, into a new directory. */
async function twoTasks(name: string, first: Decoding, second: Decoding): Promise<string> {
  const out = join(dir, name);
  await partitionCaptures([files[0]!], out, { buckets: 2, ...first });
  await partitionCaptures([files[1]!], out, { buckets: 2, ...second });
  return out;
}

const byId = (records: ConnectionRecord[]) => [...records].sort((a, b) => a.id - b.id).map((r) => JSON.stringify(r));

describe("map outputs decoded alike", () => {
  const alike: [string, Decoding, Decoding][] = [
    ["tunnel ports in another order", { tunnelPorts: { vxlan: [4790, 4791], geneve: [6082] } }, { tunnelPorts: { geneve: [6082], vxlan: [4791, 4790] } }],
    ["the default depth given and not", { maxTunnelDepth: 2 }, {}],
    ["a default port given and not", { tunnelPorts: { vxlan: [4789] } }, {}],
  ];
  for (const [what, first, second] of alike) {
    it(`${what}: one run, whose buckets are the scan's`, async () => {
      const out = await twoTasks(what.replaceAll(" ", "-"), first, second);
      const union: ConnectionRecord[] = [];
      for (const bucket of [0, 1]) for await (const c of createBucketScanner(openPartitionSet(out, bucket, 2), bucket)) union.push(c);
      expect(byId(union)).toEqual(byId((await scan(files, first)).connections));
    }, 60_000);
  }

  const unlike: [string, Decoding, Decoding][] = [
    ["a port added to one", { tunnelPorts: { vxlan: [4790] } }, {}],
    ["another depth", { maxTunnelDepth: 1 }, {}],
    // The later entry wins: 4790 is Geneve's in the first, VXLAN's in the second.
    ["one port for two tunnel types, in another order", { tunnelPorts: { vxlan: [4790], geneve: [4790] } }, { tunnelPorts: { geneve: [4790], vxlan: [4790] } }],
  ];
  for (const [what, first, second] of unlike) {
    it(`${what}: refused, naming the settings`, async () => {
      const out = await twoTasks(what.replaceAll(" ", "-"), first, second);
      expect(() => openPartitionSet(out, 0)).toThrow(PartitionError);
      expect(() => openPartitionSet(out, 0)).toThrow(/decoded with other settings/);
    }, 60_000);
  }
});
