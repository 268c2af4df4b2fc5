// Options and inputs are checked before anything runs: a TypeError (wrong kind of value) or a
// RangeError (impossible value) naming the option, never a silently different result.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import {
  createScanner, createLineScanner, scan, decodeCapture, captureLadders, drawLadders, compileFilter, registerLineFormat, peekInput,
  partitionCaptures, openPartitionSet, createBucketScanner, type ScanOptions,
} from "../../sdk/index.js";

const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

const cases: [string, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
  ["maxHalfOpen", 0, RangeError, /maxHalfOpen must be a whole number of connections, at least 1/],
  ["maxHalfOpen", -1, RangeError, /maxHalfOpen/],
  ["maxHalfOpen", 2.5, RangeError, /maxHalfOpen/],
  ["maxHalfOpen", NaN, RangeError, /maxHalfOpen .*NaN/],
  ["maxHalfOpen", "100", TypeError, /maxHalfOpen must be a number/],
  ["maxConnections", 0, RangeError, /maxConnections must be a whole number of connections, at least 1/],
  ["maxConnections", NaN, RangeError, /maxConnections .*NaN/],
  ["maxConnections", "100", TypeError, /maxConnections must be a number/],
  ["timeouts", { attempt: -1 }, RangeError, /timeouts\.attempt must be a positive, finite number of seconds, not -1/],
  ["timeouts", { inactivity: NaN }, RangeError, /timeouts\.inactivity .*NaN/],
  ["timeouts", { close: 0 }, RangeError, /timeouts\.close/],
  ["timeouts", { handshakeInactivity: Infinity }, RangeError, /timeouts\.handshakeInactivity/],
  ["timeouts", { attempt: "5" }, TypeError, /timeouts\.attempt must be a number of seconds/],
  ["timeouts", { portInactivity: { 22: -5 } }, RangeError, /timeouts\.portInactivity\[22\]/],
  ["timeouts", { portInactivity: { http: 5 } }, RangeError, /"http" is not a port/],
  ["timeouts", 5, TypeError, /timeouts must be an object/],
  ["threads", 0, RangeError, /threads must be a whole number from 1 to 256/],
  ["threads", 1.5, RangeError, /threads/],
  ["threads", 1000, RangeError, /threads/],
  ["threads", "2", TypeError, /threads must be a number/],
  ["likelyServerPorts", [80, 70000], RangeError, /likelyServerPorts\[1\] must be a port/],
  ["likelyServerPorts", 80, TypeError, /likelyServerPorts must be an array/],
  ["ignoreChecksumsNets", ["10.0.0.0/33"], RangeError, /ignoreChecksumsNets\[0\]: not an address or CIDR prefix/],
  ["ignoreChecksumsNets", [10], TypeError, /ignoreChecksumsNets\[0\] must be a prefix/],
  ["hashSeed", -1, RangeError, /hashSeed must be a 32-bit unsigned integer/],
  ["chunkSize", 0, RangeError, /chunkSize/],
  ["verifyChecksums", "yes", TypeError, /verifyChecksums must be true or false/],
  ["report", 0, TypeError, /report must be true or false/],
  ["reportTop", -1, RangeError, /reportTop must be a whole number of entries, 0 or more \(or Infinity: all\), not -1/],
  ["reportTop", 2.5, RangeError, /reportTop must be a whole number of entries/],
  ["reportTop", "10", TypeError, /reportTop must be a number \(a whole number of entries, or Infinity\), not "10"/],
  ["tracker", "js", RangeError, /tracker must be "wasm" or "typescript", not "js"/],
  ["timeouts", { portInactivity: [5] }, TypeError, /timeouts\.portInactivity must be an object of port: seconds/],
  // A Map's entries are no properties, an array's indices no names: both were taken as nothing.
  ["timeouts", { portInactivity: new Map([[80, 1]]) }, TypeError, /timeouts\.portInactivity must be an object of port: seconds, not a Map/],
  ["timeouts", [], TypeError, /timeouts must be an object of seconds by name, not an array/],
  ["onProgress", true, TypeError, /onProgress must be a function/],
  ["signal", {}, TypeError, /signal must be an AbortSignal/],
  // The decapsulation options, checked with the others (they were checked only once reading started).
  ["maxTunnelDepth", 4, RangeError, /maxTunnelDepth must be a whole number from 0 to 3, not 4/],
  ["maxTunnelDepth", "2", TypeError, /maxTunnelDepth must be a number/],
  ["maxTunnelDepth", null, TypeError, /maxTunnelDepth must be a number/],
  ["fragmentTimeout", 0, RangeError, /fragmentTimeout must be a positive, finite number of seconds, not 0/],
  ["fragmentTimeout", "30", TypeError, /fragmentTimeout must be a number of seconds/],
  ["tunnelPorts", { vxlan: 4790 }, TypeError, /tunnelPorts\.vxlan must be an array of ports, not 4790/],
  ["tunnelPorts", { vxlan: ["4790"] }, TypeError, /tunnelPorts\.vxlan: port "4790" is not a number/],
  ["tunnelPorts", { vxlan: [0] }, RangeError, /tunnelPorts\.vxlan: port 0 is not 1-65535/],
  ["tunnelPorts", { vxlam: [4790] }, RangeError, /tunnelPorts: "vxlam" is not one of vxlan/],
  ["tunnelPorts", "vxlan=4790", TypeError, /tunnelPorts must be an object of port lists by tunnel type/],
  ["tunnelPorts", [4790], TypeError, /tunnelPorts must be an object .* not an array/],
  ["tunnelPorts", null, TypeError, /tunnelPorts must be an object .* not null/],
];

describe("scan options", () => {
  for (const [name, value, kind, message] of cases) {
    it(`${name}: ${JSON.stringify(value) ?? String(value)}`, () => {
      const options = { [name]: value } as ScanOptions;
      expect(() => createScanner(SAMPLE, options)).toThrow(kind);
      expect(() => createScanner(SAMPLE, options)).toThrow(message);
    });
  }

  it('tracker "typescript" on one thread only: the workers track in WebAssembly', async () => {
    for (const threads of [2, 3]) {
      expect(() => createScanner(SAMPLE, { tracker: "typescript", threads })).toThrow(RangeError);
      expect(() => createScanner(SAMPLE, { tracker: "typescript", threads })).toThrow(`tracker "typescript" runs on one thread: threads must be 1, not ${threads}`);
    }
    expect((await scan(SAMPLE, { tracker: "typescript", threads: 1 })).connections).toHaveLength(9);
    expect((await scan(SAMPLE, { tracker: "typescript" })).connections).toHaveLength(9);
  });

  it("scan() rejects as createScanner() throws", async () => {
    await expect(scan(SAMPLE, { maxHalfOpen: 0 })).rejects.toThrow(RangeError);
    await expect(scan(SAMPLE, { report: false })).rejects.toThrow(/report: false is for createScanner/);
  });

  it("valid values are taken, Infinity for no half-open limit among them", async () => {
    const r = await scan(SAMPLE, { maxHalfOpen: Infinity, timeouts: { attempt: 5.5, portInactivity: { 22: 10 } }, threads: 1, hashSeed: 0xffffffff, likelyServerPorts: [] });
    expect(r.connections).toHaveLength(9);
  });

  it("decodeCapture checks its options too", () => {
    expect(() => decodeCapture(SAMPLE, { chunkSize: -5 })).toThrow(RangeError);
    expect(() => decodeCapture(SAMPLE, { everyStep: 1 as unknown as boolean })).toThrow(/everyStep/);
    expect(() => decodeCapture(SAMPLE, { maxTunnelDepth: 9 })).toThrow(/maxTunnelDepth/);
    expect(() => decodeCapture(SAMPLE, { tunnelPorts: { geneve: 6082 } as never })).toThrow(/tunnelPorts\.geneve must be an array/);
  });

  it("valid decapsulation options are taken", async () => {
    const r = await scan(SAMPLE, { maxTunnelDepth: 0, fragmentTimeout: 0.5, tunnelPorts: { vxlan: [4790], geneve: undefined } });
    expect(r.connections).toHaveLength(9);
  });
});

describe("captureLadders arguments", () => {
  const tcp = compileFilter("tcp");
  for (const [name, value, kind, message] of cases) {
    it(`${name}: ${JSON.stringify(value) ?? String(value)}`, async () => {
      const ladders = captureLadders(SAMPLE, tcp, { [name]: value } as ScanOptions);
      await expect(ladders).rejects.toThrow(kind);
      await expect(captureLadders(SAMPLE, tcp, { [name]: value } as ScanOptions)).rejects.toThrow(message);
    });
  }

  it("the limit: a whole number of at least 1, or Infinity", async () => {
    for (const [limit, kind] of [[0, RangeError], [-1, RangeError], [1.5, RangeError], [NaN, RangeError], ["5", TypeError]] as const) {
      await expect(captureLadders(SAMPLE, tcp, {}, limit as number), String(limit)).rejects.toThrow(kind);
      await expect(captureLadders(SAMPLE, tcp, {}, limit as number)).rejects.toThrow(/^limit must be/);
    }
    expect((await captureLadders(SAMPLE, tcp, {}, Infinity)).ladders).toHaveLength(9);
    expect((await captureLadders(SAMPLE, tcp, {}, 2)).ladders).toHaveLength(2);
  });

  it("the filter must be a compiled one, and the input a capture input", async () => {
    for (const bad of ["tcp", null, {}, { matches: () => true }]) {
      await expect(captureLadders(SAMPLE, bad as never), String(bad)).rejects.toThrow(/^filter must be a compiled filter/);
    }
    await expect(captureLadders(42 as never, tcp)).rejects.toThrow(/^input must be a path/);
    await expect(captureLadders([SAMPLE, null as never], tcp)).rejects.toThrow(/input\[1\] must be a path/);
    await expect(captureLadders(SAMPLE, tcp, "fast" as never)).rejects.toThrow(/^options must be an object/);
  });

  it("drawLadders: onLadder must be a function, found before anything is read", async () => {
    let read = 0;
    const onProgress = () => { read++; };
    await expect(drawLadders(SAMPLE, tcp, { onProgress }, 5, undefined as never)).rejects.toThrow(/^onLadder must be a function, not undefined/);
    expect(read).toBe(0);
  });

  it("an aborted signal stops it", async () => {
    await expect(captureLadders(SAMPLE, tcp, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });

  it("drawLadders' callback must be a function, before the capture is read", async () => {
    let read = 0;
    const counting = { onProgress: () => { read++; } };
    await expect(drawLadders(SAMPLE, tcp, counting, 5, undefined as never)).rejects.toThrow(new TypeError("onLadder must be a function, not undefined"));
    expect(read).toBe(0);
  });
});

describe("filter expressions and line specs", () => {
  it("compileFilter takes a string: anything else is a TypeError naming it, not a syntax error at column NaN", () => {
    for (const [bad, kind] of [[5, "5"], [undefined, "undefined"], [null, "null"], [["port 80"], "an array"], [{}, "object"]] as const) {
      expect(() => compileFilter(bad as never), kind).toThrow(new TypeError(`expression must be a string (a filter such as "port 443"), not ${kind}`));
    }
    expect(() => compileFilter("")).toThrow(/empty filter at column 1/); // a string, checked as a filter
  });

  it("createLineScanner's spec: an object with a format's name and an optional filter string", () => {
    expect(() => createLineScanner(SAMPLE, {}, undefined as never)).toThrow(new TypeError('spec must be an object ({ format: "ndjson", filter? }), not undefined'));
    expect(() => createLineScanner(SAMPLE, {}, "ndjson" as never)).toThrow(/^spec must be an object/);
    expect(() => createLineScanner(SAMPLE, {}, { format: 5 } as never)).toThrow(/^spec\.format must be a line format's name .*, not 5$/);
    expect(() => createLineScanner(SAMPLE, {}, { format: "ndjson", filter: 443 } as never)).toThrow(new TypeError('spec.filter must be a string (a filter such as "port 443"), not 443'));
    expect(() => createLineScanner(SAMPLE, {}, { format: "ndjson", filter: "port 443" })).not.toThrow();
  });
});

describe("inputs", () => {
  it("refuses what is no capture input, naming it", () => {
    for (const bad of [42, null, {}, ""]) {
      expect(() => createScanner(bad as never), String(bad)).toThrow(TypeError);
    }
    expect(() => createScanner([SAMPLE, 7 as never])).toThrow(/input\[1\] must be a path/);
    // The bytes in another wrapper: said so, with what to pass.
    expect(() => createScanner(new ArrayBuffer(8) as never)).toThrow(new TypeError("input must be a Uint8Array, not an ArrayBuffer: pass new Uint8Array(buffer)"));
    expect(() => createScanner([SAMPLE, new DataView(new ArrayBuffer(8)) as never]))
      .toThrow(new TypeError("input[1] must be a Uint8Array, not a DataView: pass new Uint8Array(view.buffer, view.byteOffset, view.byteLength)"));
    expect(() => createScanner([])).toThrow(/empty list/);
    expect(() => decodeCapture(undefined as never)).toThrow(TypeError);
  });

  it("a stream that yields strings is a TypeError, not an empty capture", async () => {
    async function* text() { yield "\xd4\xc3\xb2\xa1"; }
    await expect(scan(text() as never)).rejects.toThrow(/must yield bytes .* not a string/);
    async function* later() { yield new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]); yield "more"; }
    await expect(scan(later() as never)).rejects.toThrow(TypeError);
  });

  it("ArrayBuffer and other views are bytes", async () => {
    const { readFileSync } = await import("node:fs");
    const bytes = readFileSync(SAMPLE);
    async function* buffers() { yield bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 100); yield new DataView(bytes.buffer, bytes.byteOffset + 100, bytes.length - 100); }
    const r = await scan(buffers() as never);
    expect(r.connections).toHaveLength(9);
  });
});

describe("the other entry points' arguments", () => {
  it("registerLineFormat: a name and functions, checked when registered, not when a scan first writes", () => {
    expect(() => registerLineFormat(5 as never, () => () => "")).toThrow(new TypeError("name must be a format's name, not 5"));
    expect(() => registerLineFormat("x-test", undefined as never)).toThrow(new TypeError("make must be a function returning a formatter, not undefined"));
    expect(() => registerLineFormat("x-test", () => () => "", "values" as never)).toThrow(/^makeValues must be a function/);
    expect(() => registerLineFormat("x-test", () => () => "", undefined, "tsv" as never)).toThrow(/^wasm must be "ndjson", "csv" or "zeek"/);
  });

  it("peekInput: what scan() refuses, named as scan() names it", async () => {
    await expect(peekInput(null as never)).rejects.toThrow(/^input must be a path, "-", a Uint8Array or a byte stream .* not null$/);
  });

  it("partitions: the directories must be paths, the set openPartitionSet's", async () => {
    await expect(partitionCaptures([SAMPLE], undefined as never, { buckets: 2 })).rejects.toThrow(new TypeError("outDir must be a directory's path, not undefined"));
    await expect(partitionCaptures([SAMPLE], "/nonexistent-ths-dir", {} as never)).rejects.toThrow(new TypeError("buckets must be a number (a whole number of buckets, 1 to 65536), not undefined"));
    await expect(partitionCaptures([SAMPLE], "/nonexistent-ths-dir", { buckets: "4" as never })).rejects.toThrow(new TypeError('buckets must be a number (a whole number of buckets, 1 to 65536), not "4"'));
    await expect(partitionCaptures([SAMPLE], "/nonexistent-ths-dir", { buckets: 0 })).rejects.toThrow(RangeError);
    await expect(partitionCaptures([SAMPLE], "/nonexistent-ths-dir", { buckets: 2, onWarning: "yes" as never })).rejects.toThrow(new TypeError('onWarning must be a function, not "yes"'));
    expect(() => openPartitionSet(5 as never, 0)).toThrow(new TypeError("dir must be a directory's path, not 5"));
    for (const bad of [null, {}, { maps: [] }]) {
      expect(() => createBucketScanner(bad as never, 0), JSON.stringify(bad)).toThrow(/^set must be a partition set \(openPartitionSet\(dir, bucket\)\)/);
    }
  });
});
