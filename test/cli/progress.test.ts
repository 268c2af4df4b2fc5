import { describe, it, expect } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Progress, acrossInputs, clearProgressLine, passPosition, type PassPosition } from "../../cli/progress.js";
import { captureLadders, compileFilter, scan } from "../../sdk/index.js";
import { generateCapture } from "../../bench/generate.js";
import { writeSynFlood } from "../../bench/flood.js";
import { ethernet, tcpIp, F } from "../helpers/packets.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const hasScript = spawnSync("script", ["--version"]).status === 0;
if (!hasScript) console.log("progress: util-linux script(1) is not installed; the Ctrl-C test on a terminal is skipped");

function fakeStream(columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { columns, write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A drawn line without its "\r" and erase-to-end. */
const shown = (write: string) => write.replace(/^\r/, "").replace(/\x1b\[K$/, "");

/**
 * Runs the command in a terminal (script(1)) on a SYN flood read from a pipe; once the bar is
 * drawn, `tail` is written to the pipe and it is closed. What the terminal got, and the status.
 */
async function onTerminal(args: string, tail: Uint8Array): Promise<{ out: string; status: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), "ths-progress-"));
  const capture = join(dir, "flood.pcap"), fifo = join(dir, "in.fifo");
  writeSynFlood(capture, 60_000, 1_000_000);
  spawnSync("mkfifo", [fifo]);
  const child = spawn("script", ["-qfec", `${process.execPath} ${BIN} --threads 1 ${args} - < ${fifo}`, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString("latin1"); });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const writer = await open(fifo, "w");
  await writer.write(readFileSync(capture));
  for (let k = 0; k < 100 && !/MB read/.test(out); k++) await wait(100);
  await writer.write(tail);
  await writer.close();
  const status = await exited; // before out is read: what came until the end
  return { out, status };
}

/** A pcap record (the flood's: microseconds, Ethernet) of a SYN 1 000 days after the flood. */
function farSyn(): Uint8Array {
  const frame = ethernet(tcpIp({ flags: F.SYN, src: "10.9.9.9", dst: "10.8.8.8" }));
  const header = Buffer.alloc(16);
  header.writeUInt32LE(1_700_000_000 + 1000 * 86400, 0);
  header.writeUInt32LE(frame.length, 8);
  header.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, frame]);
}

describe("progress", () => {
  it("draws a bar with bytes, rate and ETA, at most ten times a second, and erases itself", async () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(200e6, stream);
    await new Promise((r) => setTimeout(r, 120));
    p.update(50e6);
    p.update(60e6); // too soon: not drawn
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\r\[#{8}\.{22}\]  25%  50\.0 MB of 200\.0 MB  \d+ MB\/s  ETA \d+s\x1b\[K$/);
    p.done();
    expect(writes[1]).toBe("\r\x1b[K");
  });

  it("says which pass when the inputs are read twice (a ladder of files), each pass's bytes against the inputs'", async () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(200e6, stream, 2);
    await new Promise((r) => setTimeout(r, 120));
    p.update(50e6);
    expect(writes[0]).toMatch(/^\r\[#{8}\.{22}\] pass 1 of 2   25%  50\.0 MB of 200\.0 MB  \d+ MB\/s  ETA \d+s\x1b\[K$/);
    await new Promise((r) => setTimeout(r, 120));
    p.update(350e6);
    expect(writes[1]).toMatch(/^\r\[#{23}\.{7}\] pass 2 of 2   75%  150\.0 MB of 200\.0 MB /);
    // A ladder whose file changed between its passes reads it a third time: the last pass, full.
    await new Promise((r) => setTimeout(r, 120));
    p.update(450e6);
    expect(writes[2]).toMatch(/^\r\[#{30}\] pass 2 of 2  100%  200\.0 MB of 200\.0 MB /);
    p.done();
  });

  it("counts the bytes of every input of every pass, whatever the size of the input read before", async () => {
    // The smaller file is under a read (1 MiB): the next input's first report is above its last.
    const dir = mkdtempSync(join(tmpdir(), "ths-progress-inputs-"));
    const big = join(dir, "big.pcap"), small = join(dir, "small.pcap");
    generateCapture(big, { bytes: 3e6, snaplen: 96, seed: 1 });
    generateCapture(small, { bytes: 2e5, snaplen: 96, seed: 2 });
    const both = readFileSync(big).length + readFileSync(small).length;
    const counted = async (read: (onProgress: (p: { storedBytesRead: number }) => void) => Promise<unknown>) => {
      const across = acrossInputs();
      let total = 0;
      await read((p) => { total = across(p.storedBytesRead); });
      return total;
    };
    expect(await counted((onProgress) => scan([small, big], { onProgress }))).toBe(both);
    expect(await counted((onProgress) => captureLadders([big, small], compileFilter("tcp"), { onProgress }, 1))).toBe(2 * both);
    // A ladder's reports say their pass, and passPosition counts each pass's bytes over the inputs.
    const position = passPosition(), at: (PassPosition | undefined)[] = [];
    await captureLadders([big, small], compileFilter("tcp"), { onProgress: (p) => at.push(position(p.storedBytesRead, p.pass)) }, 1);
    expect(at.filter((a) => a?.pass === 1).at(-1)?.inPass).toBe(both);
    expect(at.at(-1)).toEqual({ pass: 2, inPass: both });
    expect(at.every((a, k) => a !== undefined && (k === 0 || a.pass >= at[k - 1]!.pass))).toBe(true);
    expect(passPosition()(100, undefined)).toBeUndefined();
  });

  it("shows bytes and rate when the size is unknown (standard input)", async () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(null, stream);
    await new Promise((r) => setTimeout(r, 120));
    p.update(3e6);
    expect(writes[0]).toMatch(/^\r3\.0 MB read  \d+ MB\/s\x1b\[K$/);
    p.done();
  });

  it("stops watching signals and the exit once done, and erases only once", async () => {
    const before = ["SIGINT", "SIGTERM", "SIGHUP", "exit"].map((e) => process.listenerCount(e));
    const { writes, stream } = fakeStream();
    const p = new Progress(100, stream);
    expect(process.listenerCount("SIGINT")).toBe(before[0]! + 1);
    await new Promise((r) => setTimeout(r, 120));
    p.update(10);
    p.done();
    p.done();
    expect(writes.filter((w) => w === "\r\x1b[K")).toHaveLength(1);
    expect(["SIGINT", "SIGTERM", "SIGHUP", "exit"].map((e) => process.listenerCount(e))).toEqual(before);
  });

  it.skipIf(!hasScript)("is erased when the user presses Ctrl-C on a terminal, and the command ends killed by SIGINT (130): a shell loop running it stops", async () => {
    // A capture read from a pipe that stays open, written by this process (outside the
    // terminal's process group: Ctrl-C must reach the command alone, or the input would end
    // and the run could finish first): the scan waits for more while the bar shows.
    const dir = mkdtempSync(join(tmpdir(), "ths-progress-"));
    const capture = join(dir, "flood.pcap"), fifo = join(dir, "in.fifo");
    writeSynFlood(capture, 60_000, 1_000_000); // 4 MB: the bar is drawn while it is read
    spawnSync("mkfifo", [fifo]);
    // bash goes on with a loop after a child that exited 130 as after any other status: only a
    // child killed by the signal stops it (the second round would print "round 2").
    const command = `for round in 1 2; do ${process.execPath} ${BIN} --threads 1 - < ${fifo}; echo "round $round: $?"; done`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString("latin1"); });
    const writer = await open(fifo, "w");
    await writer.write(readFileSync(capture));
    for (let k = 0; k < 100 && !/MB read/.test(out); k++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/MB read/);
    child.stdin.write("\x03"); // Ctrl-C on the terminal: SIGINT to the foreground processes
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // A second round would wait for this pipe's end: closed once the first has had time to end.
    await new Promise((r) => setTimeout(r, 1500));
    await writer.close();
    const status = await exited;
    expect(out).not.toContain("round 1");
    expect(status, JSON.stringify(out.slice(0, 400))).toBe(130); // the shell, killed by SIGINT as the command was
    const afterBar = out.slice(out.lastIndexOf("MB read"));
    expect(afterBar).toContain("\r\x1b[K");
  }, 20_000);

  it("draws a count that came too soon after the last once the interval is over: reading may stop there (a pipe with nothing more yet)", async () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(null, stream);
    await wait(120);
    p.update(1e6);
    p.update(2e6); // within 100 ms of the first: not drawn now
    expect(writes.map(shown)).toEqual([expect.stringMatching(/^1\.0 MB read/)]);
    await wait(150);
    expect(writes.map(shown)).toEqual([expect.stringMatching(/^1\.0 MB read/), expect.stringMatching(/^2\.0 MB read/)]);
    p.update(3e6); // within 100 ms of that draw: waits
    p.done(); // and is dropped with the bar
    await wait(150);
    expect(writes.slice(2)).toEqual(["\r\x1b[K"]);
  });

  it("fits the terminal's width, read at each redraw (a resized window), the bar left out where it cannot fit", async () => {
    const { writes, stream } = fakeStream(60);
    const p = new Progress(2e9, stream);
    await wait(120);
    p.update(5e8);
    expect(shown(writes[0]!).length).toBeLessThanOrEqual(59);
    expect(shown(writes[0]!)).toMatch(/^\[#+\.+\]  25%  500\.0 MB of 2000 MB  \d+ MB\/s  ETA \d+s$/);
    (stream as { columns: number }).columns = 40; // SIGWINCH: Node updates columns
    await wait(120);
    p.update(6e8);
    expect(shown(writes[1]!).length).toBeLessThanOrEqual(39);
    expect(shown(writes[1]!)).toMatch(/^30%  600\.0 MB of 2000 MB/);
    (stream as { columns: number }).columns = 20;
    await wait(120);
    p.update(7e8);
    expect(shown(writes[2]!)).toBe("35%  700.0 MB of 20");
    (stream as { columns: number }).columns = 200;
    await wait(120);
    p.update(8e8);
    expect(shown(writes[3]!)).toMatch(/^\[#{12}\.{18}\]  40%/);
    p.done();
  });

  it("clearProgressLine erases the bar drawn, which the next update draws again", async () => {
    clearProgressLine(); // no bar: nothing to do
    const { writes, stream } = fakeStream();
    const p = new Progress(100, stream);
    await wait(120);
    p.update(10);
    clearProgressLine();
    expect(writes).toEqual([expect.stringMatching(/^\r\[/), "\r\x1b[K"]);
    clearProgressLine(); // erased already
    await wait(120);
    p.update(20);
    expect(writes).toHaveLength(3);
    p.done();
    expect(writes[3]).toBe("\r\x1b[K");
    clearProgressLine();
    expect(writes).toHaveLength(4);
  });

  it.skipIf(!hasScript)("data written onto the terminal the bar is on starts on a line of its own: the bar's line is cleared first", async () => {
    const { out, status } = await onTerminal("--format ndjson --filter 'id 1'", farSyn());
    expect(status, JSON.stringify(out.slice(-400))).toBe(0);
    expect(out).toMatch(/MB read/);
    const data = out.indexOf('{"id":1,');
    expect(data, JSON.stringify(out)).toBeGreaterThan(0);
    expect(out.slice(0, data)).toMatch(/MB read[^\r]*\r\x1b\[K$/);
  }, 20_000);

  it.skipIf(!hasScript)("a warning starts on a line of its own: the bar's line is cleared first", async () => {
    const { out, status } = await onTerminal("--format ndjson --filter 'id 0'", farSyn());
    expect(status, JSON.stringify(out.slice(-400))).toBe(0);
    const warning = out.indexOf("tcp-handshake-scan: <stdin>: warning: timestamps up to 1000.0 days after");
    expect(warning, JSON.stringify(out.slice(-400))).toBeGreaterThan(0);
    expect(out.slice(0, warning)).toMatch(/MB read[^\r]*\r\x1b\[K$/);
  }, 20_000);

  it("writes nothing when nothing was drawn", () => {
    const { writes, stream } = fakeStream();
    new Progress(10, stream).done();
    expect(writes).toEqual([]);
  });
});
