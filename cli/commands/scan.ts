// The main command: read captures, classify every TCP connection, print the summary or the
// records in the chosen format, or draw ladder diagrams.

import {
  createScanner, captureLadders, renderLadder, compileFilter, CaptureReportBuilder, ZEEK_LIKELY_SERVER_PORTS,
  type ScanOptions, type CaptureSummary, type ConnectionFilter,
} from "../../sdk/index.js";
import { statSync } from "node:fs";
import { Output } from "../output.js";
import { Progress } from "../progress.js";
import { orderByFirstPacket } from "../inputs.js";
import { totalSize } from "../input-size.js";
import { renderSummary } from "../format/summary-text.js";
import { InterestingConnections } from "../format/interesting.js";
import { csvHeader, csvRow } from "../format/connection-csv.js";
import { zeekHeader, zeekRow, zeekFooter } from "../format/zeek-log.js";
import { errorLine, openErrorMessage } from "../report-error.js";
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNREADABLE } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { scanThreads } from "../threads.js";

export const FORMATS = ["text", "json", "ndjson", "csv", "zeek"] as const;
export type Format = (typeof FORMATS)[number];

export interface ScanFlags {
  format?: string;
  output?: string;
  filter?: string;
  ladder?: string | number;
  serverPorts?: string;
  verifyChecksums?: boolean;
  progress?: boolean;
  quiet?: boolean;
  top?: number | string;
  threads?: number | string;
  maxHalfOpen?: number | string;
  maxConnections?: number | string;
}

function parseLimit(value: number | string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === "none") return Infinity;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: "${value}" is not a count of connections (or none)`);
  return n;
}

export function parseServerPorts(value: string | undefined): readonly number[] {
  if (value === undefined || value === "zeek") return ZEEK_LIKELY_SERVER_PORTS;
  if (value === "none") return [];
  const ports = String(value).split(",").map((p) => p.trim());
  for (const p of ports) {
    if (!/^\d+$/.test(p) || Number(p) > 65535) throw new UsageError(`--server-ports: "${p}" is not a port (use zeek, none or a list like 80,443)`);
  }
  return ports.map(Number);
}

function parseFilter(expr: string, flag: string): ConnectionFilter {
  try {
    return compileFilter(expr);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** Exit code and one-line messages for what the inputs did. */
function reportInputs(captures: CaptureSummary[], quiet: boolean): number {
  let exit = EXIT_OK;
  for (const c of captures) {
    if (!c.error) continue;
    process.stderr.write(errorLine(c.source, c.error) + "\n");
    exit = Math.max(exit, c.stats.packets > 0 ? EXIT_PARTIAL : EXIT_UNREADABLE);
  }
  if (!quiet) {
    for (const c of captures) for (const w of c.warnings) process.stderr.write(`tcp-handshake-scan: ${c.source}: warning: ${w.message} (${w.count}x, first at byte ${w.offset})\n`);
  }
  return exit;
}

export async function runScan(files: string[], flags: ScanFlags): Promise<number> {
  const format = (flags.format ?? "text") as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: "${flags.format}" is not one of ${FORMATS.join(", ")}`);
  const top = Number(flags.top ?? 10);
  if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top: "${flags.top}" is not a count`);
  const inputBytes = totalSize(files);
  const threads = scanThreads(flags.threads, inputBytes);
  const filter = flags.filter !== undefined ? parseFilter(String(flags.filter), "--filter") : null;
  const options: ScanOptions = {
    likelyServerPorts: parseServerPorts(flags.serverPorts),
    verifyChecksums: flags.verifyChecksums ?? false,
    threads,
    maxHalfOpen: parseLimit(flags.maxHalfOpen, "--max-half-open"),
    maxConnections: parseLimit(flags.maxConnections, "--max-connections"),
  };
  for (const f of files) {
    if (f === "-") continue;
    try { statSync(f); } catch (error) {
      process.stderr.write(`tcp-handshake-scan: ${f}: ${openErrorMessage(error)}\n`);
      return EXIT_UNREADABLE;
    }
  }
  const inputs = await orderByFirstPacket(files);
  const showProgress = !flags.quiet && flags.progress !== false && process.stderr.isTTY === true;
  const progress = showProgress ? new Progress(inputBytes) : null;
  let readBefore = 0;
  let lastRead = 0;
  options.onProgress = progress ? (p) => {
    if (p.bytesRead < lastRead) readBefore += lastRead; // the next input started
    lastRead = p.bytesRead;
    progress.update(readBefore + p.bytesRead);
  } : undefined;

  const output = new Output(flags.output);
  try {
    if (flags.ladder !== undefined) {
      const selection = String(flags.ladder);
      const selector = parseFilter(/^\d+$/.test(selection) ? `id ${selection}` : selection, "--ladder");
      const { ladders, captures } = await captureLadders(inputs, selector, options);
      progress?.done();
      if (ladders.length === 0) process.stderr.write("tcp-handshake-scan: no connection matches the --ladder selection\n");
      for (const l of ladders) await output.write(renderLadder(l) + "\n");
      return reportInputs(captures, flags.quiet ?? false);
    }

    // The report is printed by text and json only (with a filter, over the selected connections).
    const reported = format === "text" || format === "json";
    const scanner = createScanner(inputs, { ...options, report: reported && !filter });
    const interesting = new InterestingConnections(top);
    const selected = filter && reported ? new CaptureReportBuilder() : null;
    const collected: unknown[] = [];
    if (format === "csv") await output.write(csvHeader());
    if (format === "zeek") await output.write(zeekHeader());
    for await (const records of scanner.batches()) {
      let text = "";
      for (const c of records) {
        if (filter && !filter.matches(c)) continue;
        selected?.add(c);
        switch (format) {
          case "text": interesting.add(c); break;
          case "json": collected.push(c); break;
          case "ndjson": text += JSON.stringify(c) + "\n"; break;
          case "csv": text += csvRow(c); break;
          case "zeek": text += zeekRow(c); break;
        }
      }
      if (text) await output.write(text);
    }
    progress?.done();
    const captures = scanner.captures();
    if (reported) {
      const report = selected ? selected.finish(captures, scanner.timeline()) : scanner.report();
      if (format === "text") await output.write(renderSummary(captures, report, interesting));
      else await output.write(JSON.stringify({ captures, report, connections: collected }, null, 2) + "\n");
    }
    if (format === "zeek") await output.write(zeekFooter());
    return reportInputs(captures, flags.quiet ?? false);
  } catch (error) {
    progress?.done();
    const message = openErrorMessage(error); // rethrows anything that is not an input problem
    const file = (error as { path?: string }).path ?? inputs.join(", ");
    process.stderr.write(`tcp-handshake-scan: ${file}: ${message}\n`);
    return EXIT_UNREADABLE;
  } finally {
    await output.close();
  }
}
