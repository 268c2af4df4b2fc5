// The main command: read captures, classify every TCP connection, print the summary or the
// records in the chosen format, or draw ladder diagrams.

import {
  createScanner, drawLadders, LadderSpillError, renderLadder, compileFilter, CaptureReportBuilder, ZEEK_LIKELY_SERVER_PORTS,
  type ScanOptions, type CaptureSummary, type ConnectionFilter, type CompiledFilter, type CaptureInput, type Scanner,
} from "../../sdk/index.js";
import { inputName } from "../../sdk/decoder/capture-input.js";
import { bothPinned } from "../../sdk/filter/connection-filter.js";
import { readTwice } from "../../sdk/ladder/ladder-capture.js";
import { Output, OutputClosed, OutputError, outputFailed } from "../output.js";
import { checkInputsAndOutput } from "../input-identity.js";
import { Progress, acrossInputs, clearProgressLine, passPosition } from "../progress.js";
import { readingEnded, readingStarted } from "../status-signal.js";
import { allCanBeOpened, orderByFirstPacket } from "../inputs.js";
import { totalSize } from "../input-size.js";
import { renderSummary } from "../format/summary-text.js";
import { InterestingConnections } from "../format/interesting.js";
import { writeSummary } from "./summary.js";
import { isLineFormat, lineHeader, lineFooter, type LineFormat } from "../format/line-formats.js";
import { jsLineWriterAsked } from "../format/line-format-names.js";
import { scanToParquet } from "./scan-parquet.js";
import { createLineScanner } from "../../sdk/lines/scan-lines.js";
import { setWasmLines } from "../../sdk/lines/wasm-lines.js";
import { errorLine, openErrorMessage } from "../report-error.js";
import { EXIT_OK, EXIT_OUTPUT, EXIT_PARTIAL, EXIT_UNREADABLE, EXIT_NO_MATCH, worst } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { wholeNumber } from "../whole-number.js";
import { refuseParquetOnTerminal } from "../terminal-output.js";
import { chooseThreads } from "../threads.js";
import { estimatedPackets } from "../../sdk/decoder/packet-estimate.js";
import { memoryThreads } from "../thread-memory.js";
import { decapsulationOptions, type DecapsulationFlags } from "../decapsulation-flags.js";
import { sayError } from "../error-lines.js";
import { JsonDocument, JsonSpillError } from "../format/json-document.js";
import { parseCidr } from "../../sdk/connections/cidr.js";
import { MAX_LOCAL_NETS } from "../../sdk/lines/site-nets.js";
import { ladderEndLines } from "../format/ladder-end.js";

export const FORMATS = ["text", "json", "ndjson", "csv", "zeek", "parquet"] as const;
export type Format = (typeof FORMATS)[number];

export interface ScanFlags extends DecapsulationFlags {
  format?: string;
  output?: string;
  filter?: string;
  ladder?: string | number;
  ladderLimit?: string | number;
  serverPorts?: string;
  verifyChecksums?: boolean;
  noProgress?: boolean;
  quiet?: boolean;
  top?: number | string;
  threads?: number | string;
  maxHalfOpen?: number | string;
  maxConnections?: number | string;
  keyByTunnel?: boolean;
  localNets?: string;
}

function parseLadderLimit(value: number | string | undefined): number {
  if (value === undefined) return 20;
  if (value === "none") return Infinity;
  const n = wholeNumber(value);
  if (n === null || n < 1) throw new UsageError(`--ladder-limit: "${value}" is not a count of connections (1 or more, or none)`);
  return n;
}

export function parseLimit(value: number | string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === "none") return Infinity;
  const n = wholeNumber(value);
  if (n === null || n < 1) throw new UsageError(`${flag}: "${value}" is not a count of connections (1 or more, or none)`);
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

/**
 * --local-nets: a list like 203.0.113.0/24,2001:db8::/32 (bare addresses too), only with the
 * zeek format, whose local_orig and local_resp are all it changes (with any other it would be
 * silently ignored).
 */
export function parseLocalNets(value: string | undefined, format: string, ladder = false): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (format !== "zeek" || ladder) {
    throw new UsageError(`--local-nets says what the zeek format's local_orig and local_resp count as local: not with ${ladder ? "--ladder" : `--format ${format}`}`);
  }
  const nets = String(value).split(",").map((n) => n.trim());
  for (const net of nets) {
    try {
      parseCidr(net);
    } catch {
      throw new UsageError(`--local-nets: "${net}" is not a network (a prefix like 203.0.113.0/24 or 2001:db8::/32, or an address)`);
    }
  }
  if (nets.length > MAX_LOCAL_NETS) throw new UsageError(`--local-nets: ${nets.length} networks, at most ${MAX_LOCAL_NETS}`);
  return nets;
}

/** A --ladder selection that is a connection id (digits alone), not an expression. */
const isConnectionId = (selection: string) => /^\d+$/.test(selection);

/**
 * --ladder's value: a number alone, spaces around it too, is a connection id (then without them),
 * and so is one written as the summary lists ids, "#61"; anything else an expression.
 */
function ladderSelection(value: string): string {
  const id = value.trim().replace(/^#(?=\d+$)/, "");
  return isConnectionId(id) ? id : value;
}

function parseLadder(selection: string): ConnectionFilter {
  if (!isConnectionId(selection)) return parseFilter(selection, "--ladder");
  if (!Number.isSafeInteger(Number(selection))) throw new UsageError(`--ladder: "${selection}" is not a connection id (a frame number, at most ${Number.MAX_SAFE_INTEGER})`);
  return parseFilter(`id ${selection}`, "--ladder");
}

export function parseFilter(expr: string, flag: string): CompiledFilter {
  try {
    return compileFilter(expr);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** Exit code and one-line messages for what the inputs did. */
export function reportInputs(captures: CaptureSummary[], quiet: boolean): number {
  clearProgressLine(); // the lines below would start behind the bar
  let exit = EXIT_OK;
  for (const c of captures) {
    if (!c.error) continue;
    process.stderr.write(errorLine(c.source, c.error) + "\n");
    exit = Math.max(exit, c.stats.packets > 0 ? EXIT_PARTIAL : EXIT_UNREADABLE);
  }
  if (!quiet) {
    for (const c of captures) for (const w of c.warnings) sayError(`${c.source}: warning: ${w.message} (${w.count}x, first at byte ${w.offset})`);
  }
  return exit;
}

export async function runScan(files: string[], flags: ScanFlags): Promise<number> {
  // Options that mean something only beside another: alone they would be silently ignored.
  for (const name of ["bucket", "maps"]) {
    if ((flags as Record<string, unknown>)[name] !== undefined) throw new UsageError(`--${name} goes with --from-partitions DIR (a reduce task), not with captures`);
  }
  if (flags.ladderLimit !== undefined && flags.ladder === undefined) throw new UsageError("--ladder-limit goes with --ladder");
  const format = (flags.format ?? "text") as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: "${flags.format}" is not one of ${FORMATS.join(", ")}`);
  const top = wholeNumber(flags.top ?? 10);
  if (top === null) throw new UsageError(`--top: "${flags.top}" is not a count (0 or more)`);
  // Only the text summary's lists and the json report's take it: with records or ladders --top
  // would be silently ignored.
  if (flags.top !== undefined && ((format !== "text" && format !== "json") || flags.ladder !== undefined)) {
    throw new UsageError(`--top sizes the lists of the text summary and the json report: not with ${flags.ladder !== undefined ? "--ladder" : `--format ${format}`}`);
  }
  const inputBytes = totalSize(files);
  const packets = flags.threads === undefined ? estimatedPackets(files) : null;
  const { threads, cappedFrom } = chooseThreads(flags.threads, inputBytes, undefined, memoryThreads(flags.maxConnections, flags.maxHalfOpen), packets);
  const filter = flags.filter !== undefined ? parseFilter(String(flags.filter), "--filter") : null;
  const ladderLimit = parseLadderLimit(flags.ladderLimit);
  const selection = flags.ladder !== undefined ? ladderSelection(String(flags.ladder)) : undefined;
  const selector = selection !== undefined ? parseLadder(selection) : null;
  const options: ScanOptions = {
    likelyServerPorts: parseServerPorts(flags.serverPorts),
    verifyChecksums: flags.verifyChecksums ?? false,
    threads,
    maxHalfOpen: parseLimit(flags.maxHalfOpen, "--max-half-open"),
    maxConnections: parseLimit(flags.maxConnections, "--max-connections"),
    keyByTunnel: flags.keyByTunnel === true,
    localNets: parseLocalNets(flags.localNets, format, flags.ladder !== undefined),
    ...decapsulationOptions(flags),
  };
  if (flags.output === "") throw new UsageError("-o: an empty file name (- is standard output)");
  // Parquet is binary: to a file (-o), a pipe or a redirection, never onto a terminal.
  if (format === "parquet") refuseParquetOnTerminal(flags.output);
  // A ladder is text: another format asked for would be silently ignored.
  if (flags.ladder !== undefined && format !== "text") {
    throw new UsageError(`--ladder draws text diagrams: not with --format ${format}`);
  }
  checkInputsAndOutput(files, flags.output);
  if (!allCanBeOpened(files)) return EXIT_UNREADABLE;
  let output: Output;
  try {
    output = new Output(flags.output);
  } catch (error) {
    return outputFailed(error);
  }
  if (cappedFrom !== undefined && !flags.quiet) {
    sayError(`warning: --threads ${cappedFrom}: ${threads} cores available, using ${threads} threads`);
  }
  const showProgress = !flags.quiet && !flags.noProgress && process.stderr.isTTY === true;
  // Ladders of files read them twice (or more: draw-selected.ts): a scan that finds the connections, then a pass that draws them.
  const passes = selector && readTwice(files) ? 2 : 1;
  const progress = showProgress ? new Progress(inputBytes, process.stderr, passes) : null;
  // The bytes as stored, as the inputs' sizes count them: compressed ones for gzip.
  const read = acrossInputs(), position = passPosition();
  const status = readingStarted(inputBytes, passes); // what SIGUSR1's line says
  options.onProgress = (p) => {
    const bytes = read(p.storedBytesRead), at = position(p.storedBytesRead, p.pass);
    status(bytes, at);
    progress?.update(bytes, at);
  };

  let inputs: CaptureInput[] = files;
  try {
    inputs = await orderByFirstPacket(files, (line) => { if (!flags.quiet) sayError(line); });
    let exit: number;
    if (selector) {
      // --filter narrows the selection as it narrows any other output.
      const chosen = filter ? bothFilters(selector, filter) : selector;
      const { drawn, matched, captures, notDrawn } = await drawLadders(inputs, chosen, options, ladderLimit, (l) => output.write(renderLadder(l) + "\n"));
      progress?.done();
      exit = reportInputs(captures, flags.quiet ?? false);
      // No input could be read at all (exit 3): "no connection matches" would blame the selection.
      // (An input whose reading stopped early, once the ids a selection pins ended, has no summary.)
      const nothingRead = captures.length === inputs.length && captures.every((c) => c.error !== null && c.stats.packets === 0);
      if (!nothingRead) exit = await endLadders(selection!, drawn, matched, output, exit, flags.filter, notDrawn);
    } else {
      exit = await writeConnections(inputs, options, format, filter, top, output, flags.quiet ?? false, flags.filter);
      progress?.done();
    }
    await output.close();
    return exit;
  } catch (error) {
    progress?.done();
    output.discard();
    if (error instanceof OutputClosed || error instanceof OutputError) return outputFailed(error);
    if (error instanceof LadderSpillError || error instanceof JsonSpillError) {
      sayError(error.message);
      return EXIT_OUTPUT;
    }
    const message = openErrorMessage(error); // rethrows anything that is not an input problem
    const file = (error as { path?: string }).path ?? inputs.map(inputName).join(", ");
    sayError(`${file}: ${message}`);
    return EXIT_UNREADABLE;
  } finally {
    readingEnded();
  }
}

/** The connections both filters select. */
function bothFilters(a: ConnectionFilter, b: ConnectionFilter): ConnectionFilter {
  const onlyIds = bothPinned(a.onlyIds, b.onlyIds);
  return { matches: (c) => a.matches(c) && b.matches(c), mayMatch: (c) => a.mayMatch(c) && b.mayMatch(c), ...(onlyIds ? { onlyIds } : {}) };
}

/** Says how many of the matching connections were drawn, or that none matched (EXIT_NO_MATCH). */
async function endLadders(
  selection: string, drawn: number, matched: number, output: Output, exit: number, filter?: string, notDrawn?: number,
): Promise<number> {
  for (const line of ladderEndLines(selection, drawn, matched, filter, notDrawn)) await output.write(line + "\n");
  if (matched > 0) return exit;
  const none = !isConnectionId(selection) ? `no connection matches --ladder "${selection}"${filter !== undefined ? ` and --filter "${filter}"` : ""}`
    : filter !== undefined ? `no connection has id ${selection} and matches --filter "${filter}"`
    : `no connection has id ${selection} (an id is the frame number of a connection's first packet)`;
  sayError(none);
  return worst(exit, EXIT_NO_MATCH);
}

/** Scans and writes the records in `format`; returns the exit code of what the inputs did. */
async function writeConnections(
  inputs: CaptureInput[], options: ScanOptions, format: Format, filter: CompiledFilter | null, top: number, output: Output,
  quiet: boolean, filterText?: string,
): Promise<number> {
  if (isLineFormat(format)) return writeLines(inputs, options, format, output, quiet, filterText);
  if (format === "parquet") return reportInputs(await scanToParquet(inputs, options, filter, (bytes) => output.writeBytes(bytes)), quiet);
  if (format === "text" && process.env.TCP_SCAN_SUMMARY_RECORDS !== "1") {
    return reportInputs(await writeSummary(inputs, options, filter, top, output, filterText), quiet);
  }
  // With a filter, the report is made over the selected connections (writeRecords).
  return writeRecords(createScanner(inputs, { ...options, report: !filter, reportTop: top }), format, filter, top, output, quiet, filterText);
}

/**
 * The text summary (from record objects: the summary's own path is writeSummary) or json, from
 * what `scanner` yields; returns the exit code of what the inputs did. The line formats and
 * Parquet never come here: they are written from the tracker's groups (writeLines,
 * scanToParquet; a reduce task's in reduce.ts).
 */
export async function writeRecords(
  scanner: Scanner, format: "text" | "json", filter: ConnectionFilter | null, top: number, output: Output, quiet: boolean, filterText?: string,
): Promise<number> {
  const interesting = new InterestingConnections(top);
  const selected = filter ? new CaptureReportBuilder({ top }) : null;
  const json = format === "json" ? new JsonDocument() : null;
  let total = 0; // connections before the filter, for the summary's "N of M"
  try {
    // Leaving this loop by an exception (the output failed) stops the scan and its workers.
    for await (const records of scanner.batches()) {
      total += records.length;
      const chosen = filter ? [] : records;
      for (const c of records) {
        if (filter) {
          // Left out, it still counts for the capture's quality.
          if (!filter.matches(c)) { selected!.addUnselected(c); continue; }
          chosen.push(c);
          selected!.add(c);
        }
        if (!json) interesting.add(c);
      }
      json?.add(chosen);
    }
    const captures = scanner.captures();
    const report = selected ? selected.finish(captures, scanner.timeline()) : scanner.report();
    if (json) await json.write(output, captures, report);
    else await output.write(renderSummary(captures, report, interesting, filter ? { filter: { expression: String(filterText), total } } : {}));
    return reportInputs(captures, quiet);
  } finally {
    json?.close(); // (its temporary file, should the scan have failed)
  }
}

/**
 * ndjson, csv and zeek: one line per connection, written by the scan's workers from 3 threads
 * on (sdk/lines/scan-lines.ts): no report, so nothing per connection is left to this thread.
 */
async function writeLines(
  inputs: CaptureInput[], options: ScanOptions, format: LineFormat, output: Output, quiet: boolean, filter?: string,
): Promise<number> {
  if (jsLineWriterAsked()) setWasmLines(false);
  const scanner = createLineScanner(inputs, options, { format, filter });
  await output.write(lineHeader(format));
  // Leaving this loop by an exception (the output failed) stops the scan and its workers.
  // Each chunk is written out before the next is asked for: the scanner may write it over.
  for await (const chunk of scanner.chunks({ reuse: true })) await output.writeBytes(chunk);
  await output.write(lineFooter(format));
  return reportInputs(scanner.captures(), quiet);
}
