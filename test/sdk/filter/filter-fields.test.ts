// The filter over a connection's record values (what a scan's line writers test) gives the
// verdict it gives over the record built from the same values, for every predicate of the
// language: each measure at thresholds on either side of the values seen, each flag, every
// state, outcome and teardown that occurs, and the address forms, on every capture of the
// shared corpus (when present) and the project's own sample.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { compileFilter } from "../../../sdk/filter/connection-filter.js";
import { MEASURES, FLAGS } from "../../../sdk/filter/measures.js";
import { readRecordValues, RecordValues } from "../../../sdk/connections/record-values.js";
import { buildConnectionRecord } from "../../../sdk/connections/connection-record.js";
import { trackConnections } from "../../../sdk/connections/track.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const THRESHOLDS = { count: ["0", "2"], time: ["0us", "300us", "20ms", "1s"], size: ["0", "1kB", "1MiB"] };

/** Every predicate form, with values taken from the first connections seen. */
function expressions(seen: { states: Set<string>; outcomes: Set<string>; teardowns: Set<string>; addrs: string[] }): string[] {
  const out: string[] = ["tcp", "ip", "ip6", "id 3", "not id 3"];
  for (const [name, m] of Object.entries(MEASURES)) for (const op of [">", "<=", "=="]) for (const t of THRESHOLDS[m.unit]) out.push(`${name} ${op} ${t}`);
  for (const flag of Object.keys(FLAGS)) out.push(flag, `not ${flag}`);
  for (const s of seen.states) out.push(`state ${s}`);
  for (const o of seen.outcomes) out.push(`outcome ${o}`);
  for (const t of seen.teardowns) out.push(`teardown ${t}`);
  for (const a of seen.addrs) {
    const host = a.includes(":") ? `[${a}]` : a;
    out.push(`host ${host}`, `src host ${host}`, `dst host ${host}`, `src and dst host ${host}`);
  }
  out.push("port 80", "src port 80", "dst port 443", "portrange 1-1023", "net 10.0.0.0/8", "dst net 192.168.0.0/16", "net 2001:db8::/32");
  out.push("port 80 and (retransmissions > 0 or rtt > 20ms)", "not (state SF or duration < 1s)");
  return out;
}

/** How many (expression, connection) pairs were compared, and how many expressions split the connections. */
async function compare(files: (string | Uint8Array)[]): Promise<{ checked: number; splitting: number }> {
  const seen = { states: new Set<string>(), outcomes: new Set<string>(), teardowns: new Set<string>(), addrs: [] as string[] };
  const records = [];
  const values: RecordValues[] = [];
  for (const file of files) {
    for await (const group of trackConnections([file], {}, [])) {
      for (let k = 0; k < group.count; k++) {
        const c = buildConnectionRecord(group.store(), k);
        const v = new RecordValues();
        readRecordValues(group.store(), k, v);
        records.push(c);
        values.push(v);
        seen.states.add(c.connState); seen.outcomes.add(c.handshake.outcome); seen.teardowns.add(c.teardown.kind);
        if (seen.addrs.length < 6 && !seen.addrs.includes(c.orig.addr)) seen.addrs.push(c.orig.addr);
      }
    }
  }
  let checked = 0, splitting = 0;
  for (const expression of expressions(seen)) {
    const f = compileFilter(expression);
    let selected = 0;
    for (let i = 0; i < records.length; i++) {
      const byRecord = f.matches(records[i]!);
      if (f.matchesValues(values[i]!) !== byRecord) expect.fail(`"${expression}" on connection ${records[i]!.id}: record ${byRecord}, values ${!byRecord}`);
      if (byRecord) selected++;
      checked++;
    }
    if (selected > 0 && selected < records.length) splitting++;
  }
  return { checked, splitting };
}

describe("the filter over record values", () => {
  it("selects what it selects over the records, on the project's sample", async () => {
    const { checked, splitting } = await compare([SAMPLE]);
    expect(checked).toBeGreaterThan(100);
    expect(splitting).toBeGreaterThan(10);
  });

  it("takes an IPv4-mapped IPv6 address as IPv6 (ip6, not ip), by its values' version as by its text", async () => {
    const conversation = (o: ConstructorParameters<typeof Conversation>[0]) => new Conversation(o).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const capture = writePcap(merge(
      conversation({ v6: true, client: "::ffff:10.0.0.7", server: "fd00::2" }),
      conversation({ client: "10.0.0.7", server: "10.0.0.8" }),
      conversation({ v6: true, client: "fd00::1", server: "::ffff:10.0.0.9" }),
    ));
    const values: RecordValues[] = [];
    for await (const group of trackConnections([capture], {}, [])) {
      for (let k = 0; k < group.count; k++) readRecordValues(group.store(), k, values[values.push(new RecordValues()) - 1]!);
    }
    expect(values.map((v) => [v.orig.version, v.resp.version])).toEqual([[6, 6], [4, 4], [6, 6]]);
    expect(values.map((v) => compileFilter("ip6").matchesValues(v))).toEqual([true, false, true]);
    expect(values.map((v) => compileFilter("ip").matchesValues(v))).toEqual([false, true, false]);
    expect((await compare([capture])).checked).toBeGreaterThan(0); // and as over the records
  });

  it("selects what it selects over the records, for every predicate on every corpus capture", async (ctx) => {
    const root = corpusDir();
    if (!root) return ctx.skip();
    // One capture at a time, so that the records of the whole corpus are never all in memory.
    let checked = 0, splitting = 0;
    for (const file of capturesUnder(root)) {
      const r = await compare([file]);
      checked += r.checked;
      splitting = Math.max(splitting, r.splitting);
    }
    expect(checked).toBeGreaterThan(100_000);
    expect(splitting).toBeGreaterThan(40);
  }, 300_000);
});
