// --format parquet, read back by a real consumer (DuckDB): every csv column has a Parquet type;
// the sample's and a generated capture's records come back equal to the ndjson's, column by
// column; a byte count past 4 GiB and IPv6 addresses come back exactly; ts keeps its
// nanoseconds; records are written in row groups as they come; and the output's edges (a
// failing write, a reader that goes away, a pipe) behave as for the text formats.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { parquetReadObjects } from "hyparquet";
import { CSV_COLUMNS } from "../../../cli/format/connection-csv.js";
import { PARQUET_TYPES, ParquetConnectionWriter, epochNanoseconds, parquetColumns } from "../../../cli/format/connection-parquet.js";
import { generateCapture } from "../../../bench/generate.js";
import { scan, type ConnectionRecord } from "../../../sdk/index.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { F, ethernet, ipv6, tcpSegment, parseAddress } from "../../helpers/packets.js";
import { readDoc, between } from "../../helpers/doc-section.js";

const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-parquet-"));
const GENERATED = join(dir, "generated.pcap");
let duck: DuckDBConnection;

beforeAll(async () => {
  generateCapture(GENERATED, { bytes: 24e6, snaplen: 96, seed: 5 });
  duck = await (await DuckDBInstance.create(":memory:")).connect();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const shell = (script: string) => spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 60_000, cwd: dir });
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

function ndjson(file: string): ConnectionRecord[] {
  const r = run(["--format", "ndjson", file]);
  expect(r.code).toBe(0);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

function parquet(file: string, out: string): void {
  const r = run(["--format", "parquet", "-o", out, file]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** conn_state counts as DuckDB reads them from the file, and as the ndjson records have them. */
async function expectSameStateCounts(file: string, records: ConnectionRecord[]): Promise<void> {
  const counted = await rows(`SELECT conn_state, count(*) AS n FROM read_parquet(${q(file)}) GROUP BY 1 ORDER BY 1`);
  const expected = new Map<string, number>();
  for (const c of records) expected.set(c.connState, (expected.get(c.connState) ?? 0) + 1);
  expect(Object.fromEntries(counted.map((r) => [r.conn_state, Number(r.n)]))).toEqual(Object.fromEntries(expected));
}

/** Every column of every row equals the record's csv cell (ts to DuckDB's microsecond; exact below). */
async function expectSameRecords(file: string, records: ConnectionRecord[]): Promise<void> {
  const names = CSV_COLUMNS.map(([n]) => n).filter((n) => n !== "ts");
  const got = await rows(`SELECT epoch_us(ts)::VARCHAR AS ts_us, ${names.join(", ")} FROM read_parquet(${q(file)})`);
  // DuckDB's JSON rendering: BIGINT and VARCHAR as strings, the rest as JavaScript values.
  const expected = records.map((c) => {
    const [sec, frac] = c.ts.split(".");
    const row: Record<string, unknown> = { ts_us: String(BigInt(sec!) * 1_000_000n + BigInt(frac!.slice(0, 6))) };
    for (const name of names) {
      const want = CSV_COLUMNS.find(([n]) => n === name)![1](c) ?? null;
      row[name] = want === null ? null : PARQUET_TYPES[name] === "INT64" || PARQUET_TYPES[name] === "STRING" ? String(want) : want;
    }
    return row;
  });
  expect(got).toEqual(expected);
}

describe("the Parquet schema", () => {
  it("gives every csv column a Parquet type, and types no column the csv does not have", () => {
    const csv = CSV_COLUMNS.map(([name]) => name);
    expect(csv.filter((n) => !(n in PARQUET_TYPES)), "csv columns without a Parquet type (add them to PARQUET_TYPES and docs/columns.md)").toEqual([]);
    expect(Object.keys(PARQUET_TYPES).filter((n) => !csv.includes(n))).toEqual([]);
    expect(parquetColumns().map((c) => c.name)).toEqual(csv);
  });

  it("is what DuckDB reads: typed columns in the csv's order, snappy-compressed, ts as UTC nanoseconds", async () => {
    const out = join(dir, "schema.parquet");
    parquet(SAMPLE, out);
    const described = await rows(`DESCRIBE SELECT * FROM read_parquet(${q(out)})`);
    const duckType = { STRING: "VARCHAR", INT32: "INTEGER", INT64: "BIGINT", DOUBLE: "DOUBLE", BOOLEAN: "BOOLEAN", TIMESTAMP: "TIMESTAMP WITH TIME ZONE" };
    expect(described.map((r) => [r.column_name, r.column_type])).toEqual(CSV_COLUMNS.map(([n]) => [n, duckType[PARQUET_TYPES[n]!]]));
    const ts = await rows(`SELECT logical_type FROM parquet_schema(${q(out)}) WHERE name = 'ts'`);
    expect(String(ts[0]!.logical_type)).toMatch(/isAdjustedToUTC=1.*NANOS=NanoSeconds/);
    const codecs = await rows(`SELECT DISTINCT compression FROM parquet_metadata(${q(out)})`);
    expect(codecs.map((r) => r.compression)).toEqual(["SNAPPY"]);
  });

  it("is docs/columns.md's: every column listed once under its Parquet type", () => {
    const section = between(readDoc("docs/columns.md"), "\n## Parquet columns\n", null);
    const listed = new Map<string, string>();
    for (const line of section.split("\n").filter((l) => /^\| `/.test(l))) {
      const [names, type] = line.split(" | ");
      const parquetType = /TIMESTAMP/.test(type!) ? "TIMESTAMP" : /STRING/.test(type!) ? "STRING" : /`(\w+)`/.exec(type!)![1]!;
      for (const [, name] of names!.matchAll(/`(\w+)`/g)) {
        expect(listed.has(name!), `${name} listed twice`).toBe(false);
        listed.set(name!, parquetType);
      }
    }
    expect(Object.fromEntries(listed)).toEqual(PARQUET_TYPES);
  });

  it("epoch nanoseconds from the record's ts, exactly, before 1970 too", () => {
    expect(epochNanoseconds("1591780863.720289123")).toBe(1591780863720289123n);
    expect(epochNanoseconds("0.000000001")).toBe(1n);
    expect(epochNanoseconds("-1.500000000")).toBe(-1500000000n);
  });
});

describe("records read back by DuckDB", () => {
  it("the sample: conn_state counts and every column equal to the ndjson's", async () => {
    const out = join(dir, "sample.parquet");
    parquet(SAMPLE, out);
    const records = ndjson(SAMPLE);
    await expectSameStateCounts(out, records);
    await expectSameRecords(out, records);
    // The README's rule: null is what the csv leaves empty (anomalies was an empty string).
    const csv = run(["--format", "csv", SAMPLE]).stdout.trim().split("\r\n").map((l) => l.split(",")); // no quoted cell here
    const header = csv.shift()!;
    const names = header.filter((n) => n !== "ts");
    const nulls = await rows(`SELECT ${names.map((n) => `${n} IS NULL AS ${n}`).join(", ")} FROM read_parquet(${q(out)})`);
    expect(nulls.map((r) => names.map((n) => r[n]))).toEqual(csv.map((cells) => names.map((n) => cells[header.indexOf(n)] === "")));
    expect(nulls.filter((r) => r.anomalies === false)).toHaveLength(1); // the one-sided connection
  });

  it("a generated capture (IPv4 and IPv6, VLANs, every ending): the same, with 2 threads", async () => {
    const out = join(dir, "generated.parquet");
    const r = run(["--format", "parquet", "--threads", "2", "-o", out, GENERATED]);
    expect(r.code).toBe(0);
    const records = ndjson(GENERATED);
    expect(records.length).toBeGreaterThan(1000);
    await expectSameStateCounts(out, records);
    await expectSameRecords(out, records);
  }, 120_000);

  it("written a row group at a time as records come: several groups, the same rows", async () => {
    const { connections } = await scan(GENERATED);
    const chunks: Uint8Array[] = [];
    const sizes: number[] = [];
    const writer = new ParquetConnectionWriter(async (b) => { chunks.push(b); sizes.push(b.length); }, 500);
    for (const c of connections) await writer.add(c);
    await writer.finish();
    // Bytes leave at every full group, not only at the end.
    expect(chunks.length).toBe(Math.ceil(connections.length / 500) + 1);
    const out = join(dir, "groups.parquet");
    writeFileSync(out, Buffer.concat(chunks));
    const groups = await rows(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${q(out)})`);
    expect(Number(groups[0]!.n)).toBe(Math.ceil(connections.length / 500));
    await expectSameRecords(out, connections);
  }, 120_000);
});

describe("what other readers need", () => {
  it("booleans PLAIN (fastparquet misread RLE ones in a version-2 page with nulls), RLE listed for every chunk's levels, created_by with the version", async () => {
    const out = join(dir, "readers.parquet");
    expect(run(["-q", "--format", "parquet", "-o", out, SAMPLE]).code).toBe(0);
    const chunks = await rows(`SELECT path_in_schema AS name, type, encodings FROM parquet_metadata(${q(out)})`);
    const booleans = chunks.filter((c) => c.type === "BOOLEAN");
    expect(booleans.length).toBeGreaterThan(5);
    for (const c of booleans) expect(c.encodings, String(c.name)).toBe("PLAIN, RLE");
    for (const c of chunks) expect(String(c.encodings).split(", ").filter((e) => e === "RLE"), String(c.name)).toEqual(["RLE"]);
    // Null where the sample has no SYN/ACK's options, the rest as the ndjson has them.
    const sack = (await rows(`SELECT resp_sack_permitted AS v FROM ${q(out)} ORDER BY id`)).map((r) => r.v);
    expect(sack).toEqual(ndjson(SAMPLE).map((c) => c.handshake.options.resp?.sackPermitted ?? null));
    expect(sack).toContain(null);
    const [meta] = await rows(`SELECT created_by FROM parquet_file_metadata(${q(out)})`);
    expect(meta!.created_by).toMatch(/^tcp-handshake-scan version \d+\.\d+\.\d+$/);
  });

  it("a tunnel record with no chain (only later packets tunnelled): tunnel null, as the csv leaves it empty", async () => {
    const { connections } = await scan(SAMPLE);
    const c = { ...connections[0]!, tunnel: { types: [], identity: "00000000", parents: ["1a2b3c4d"], changes: 1 } } as ConnectionRecord;
    const chunks: Uint8Array[] = [];
    const writer = new ParquetConnectionWriter(async (b) => { chunks.push(b); });
    await writer.add(c);
    await writer.finish();
    const out = join(dir, "tunnel-null.parquet");
    writeFileSync(out, Buffer.concat(chunks));
    expect(await rows(`SELECT tunnel IS NULL AS none, tunnel_parents AS parents FROM ${q(out)}`)).toEqual([{ none: true, parents: "1a2b3c4d" }]);
  });
});

// One IPv6 connection whose responder sends 5 GiB, at a 96-byte snaplen in 64 KiB segments
// (as in test/sdk/connections/large-transfer.test.ts), stamped in a nanosecond pcap.
function bigIpv6Transfer(): Uint8Array {
  const CLIENT = "2001:db8:0:1::a", SERVER = "2001:db8:ffff::1:2";
  const SEGMENT = 65515, TOTAL = 5 * 2 ** 30;
  const { SYN, ACK, FIN, PSH } = F;
  let nsec = 123_456_789 - 1001; // the first packet, the connection's ts, at .123456789
  const packet = (fromClient: boolean, flags: number, seq: number, ack: number, payload: number): Frame => {
    const src = fromClient ? CLIENT : SERVER, dst = fromClient ? SERVER : CLIENT;
    const tcp = tcpSegment({ sport: fromClient ? 50000 : 443, dport: fromClient ? 443 : 50000, seq, ack, flags }, parseAddress(src), parseAddress(dst));
    const data = ethernet(ipv6({ src, dst, payloadLength: tcp.length + payload }, tcp));
    nsec += 1001;
    return { data: data.subarray(0, 96), origLen: data.length + payload, sec: 1_700_000_000 + Math.floor(nsec / 1e9), nsec: nsec % 1e9 };
  };
  const isn = 7, sisn = 0xfff00000;
  const frames = [packet(true, SYN, isn, 0, 0)];
  frames.push(packet(false, SYN | ACK, sisn, isn + 1, 0), packet(true, ACK, isn + 1, (sisn + 1) >>> 0, 0));
  let sent = 0, segments = 0;
  while (sent < TOTAL) {
    const len = Math.min(SEGMENT, TOTAL - sent);
    frames.push(packet(false, ACK | PSH, (sisn + 1 + sent) >>> 0, isn + 1, len));
    sent += len;
    if (++segments % 32 === 0 || sent === TOTAL) frames.push(packet(true, ACK, isn + 1, (sisn + 1 + sent) >>> 0, 0));
  }
  frames.push(packet(false, FIN | ACK, (sisn + 1 + TOTAL) >>> 0, isn + 1, 0));
  frames.push(packet(true, FIN | ACK, isn + 1, (sisn + 2 + TOTAL) >>> 0, 0));
  frames.push(packet(false, ACK, (sisn + 2 + TOTAL) >>> 0, isn + 2, 0));
  return writePcap(frames, { snaplen: 96, nanosecond: true });
}

describe("exact values", () => {
  it("a 5 GiB byte count and IPv6 addresses, exactly; ts to the nanosecond", async () => {
    const capture = join(dir, "big-v6.pcap");
    writeFileSync(capture, bigIpv6Transfer());
    const out = join(dir, "big-v6.parquet");
    parquet(capture, out);
    const [c] = ndjson(capture);
    expect(c!.resp.bytes).toBe(5 * 2 ** 30);
    expect(c!.ts).toBe("1700000000.123456789");
    const [row] = await rows(`SELECT orig_addr, resp_addr, resp_bytes, resp_missed_bytes, resp_ip_bytes, resp_pkts, conn_state, ts::VARCHAR AS ts FROM read_parquet(${q(out)})`);
    expect(row).toEqual({
      orig_addr: "2001:db8:0:1::a", resp_addr: "2001:db8:ffff::1:2",
      resp_bytes: String(5 * 2 ** 30), resp_missed_bytes: String(5 * 2 ** 30), resp_ip_bytes: String(c!.resp.ipBytes), resp_pkts: String(c!.resp.pkts),
      conn_state: "SF", ts: "2023-11-14 22:13:20.123456+00",
    });
    // DuckDB keeps microseconds of a UTC timestamp; the stored nanoseconds, read as they are:
    const file = readFileSync(out);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    const [raw] = await parquetReadObjects({ file: buffer, columns: ["ts"], parsers: { timestampFromNanoseconds: (n: bigint) => n } as never });
    expect(raw!.ts).toBe(1700000000123456789n);
  }, 120_000);
});

describe("a damaged capture", () => {
  it("cut inside a packet: the records read before the fault are in the file, with the same exit code and line as ndjson", async () => {
    const cut = join(dir, "cut.pcap");
    writeFileSync(cut, readFileSync(GENERATED).subarray(0, 10_000_003));
    const out = join(dir, "cut.parquet");
    const r = run(["--format", "parquet", "-o", out, cut]);
    const n = run(["--format", "ndjson", cut]);
    expect(n.code).not.toBe(0);
    expect(r.code).toBe(n.code);
    expect(r.stderr).toBe(n.stderr);
    const records = n.stdout.trim().split("\n").map((l) => JSON.parse(l) as ConnectionRecord);
    expect(records.length).toBeGreaterThan(100);
    await expectSameRecords(out, records);
  }, 120_000);
});

describe("where the Parquet goes", () => {
  it("a write that fails (/dev/full): one line naming the output, exit 5", () => {
    const r = run(["--format", "parquet", "-o", "/dev/full", GENERATED]);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe("tcp-handshake-scan: /dev/full: cannot write the output: no space left on device (ENOSPC)\n");
  });

  it("a reader that goes away (| head -c 100): exit 141, quietly", () => {
    const r = shell(`node '${BIN}' --format parquet '${GENERATED}' | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`);
    expect(r.stdout.trim()).toBe("141");
    expect(r.stderr).toBe("");
  });

  it("to a pipe (no -o): the same file as with -o", () => {
    const viaPipe = join(dir, "pipe.parquet"), viaFile = join(dir, "file.parquet");
    expect(shell(`node '${BIN}' --format parquet '${SAMPLE}' | cat > '${viaPipe}'`).status).toBe(0);
    parquet(SAMPLE, viaFile);
    expect(readFileSync(viaPipe).equals(readFileSync(viaFile))).toBe(true);
  });

  it("never onto a terminal, and not with --ladder: usage errors (exit 2)", () => {
    const tty = spawnSync("script", ["-qec", `node '${BIN}' --format parquet '${SAMPLE}'`, "/dev/null"], { encoding: "utf8", timeout: 30_000 });
    if (tty.error === undefined) {
      expect(tty.status).toBe(2);
      expect(tty.stdout).toMatch(/--format parquet: standard output is a terminal \(use -o FILE, or a pipe\)/);
      // -o naming the terminal, by any of its names: the same refusal, nothing written onto it.
      for (const name of ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]) {
        const named = spawnSync("script", ["-qec", `node '${BIN}' --format parquet -o ${name} '${SAMPLE}'; echo "exit $?"`, "/dev/null"], { encoding: "utf8", timeout: 30_000 });
        expect(named.stdout, name).toMatch(new RegExp(`^tcp-handshake-scan: --format parquet: -o ${name} is the terminal \\(use -o FILE, or a pipe\\)\\r?\\nexit 2\\r?\\n$`));
      }
    }
    // A terminal under another name than fd 1's, standard output elsewhere: /dev/tty and the
    // terminal's own /dev/pts/N path. The same refusal, nothing written onto it.
    if (tty.error === undefined) {
      const elsewhere = join(dir, "stdout-elsewhere");
      for (const name of ["/dev/tty", "$(tty)"]) {
        const other = spawnSync("script", ["-qec", `node '${BIN}' --format parquet -o ${name} '${SAMPLE}' > '${elsewhere}'; echo "exit $?"`, "/dev/null"], { encoding: "utf8", timeout: 30_000 });
        expect(other.stdout, name).toMatch(/^tcp-handshake-scan: --format parquet: -o \/dev\/(tty|pts\/\d+) is the terminal \(use -o FILE, or a pipe\)\r?\nexit 2\r?\n$/);
        expect(readFileSync(elsewhere).length, name).toBe(0);
      }
    }
    // Not a terminal: -o /dev/stdout into a pipe writes the same file as -o FILE.
    const viaStdout = join(dir, "dev-stdout.parquet"), viaFile = join(dir, "dev-stdout-file.parquet");
    expect(shell(`node '${BIN}' --format parquet -o /dev/stdout '${SAMPLE}' | cat > '${viaStdout}'`).status).toBe(0);
    parquet(SAMPLE, viaFile);
    expect(readFileSync(viaStdout).equals(readFileSync(viaFile))).toBe(true);
    const r = run(["--format", "parquet", "--ladder", "1", "-o", join(dir, "ladder.parquet"), SAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--ladder draws text diagrams: not with --format parquet/);
  });
});
