// The capture-level report, built connection by connection as they end (so it works while
// streaming): counts by handshake outcome, teardown kind and conn_state, handshake RTT
// percentiles per leg, the servers with the most failed handshakes, SYN scan / flood
// suspects, and a verdict on the capture's quality.

import type { ConnectionRecord, HandshakeOutcome, TeardownKind } from "../connections/connection-record.js";
import type { ConnState } from "../connections/conn-state.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { LogHistogram } from "./histogram.js";
import { endpointKey, hostAddress } from "./address-keys.js";
import { ConnectionFacts } from "./connection-facts.js";
import { CaptureQuality, type QualityFinding, type Timeline } from "./capture-quality.js";
import type { Key } from "./key-table.js";
import { CountTable, DistinctBudget, FirstSeenCounts, ObjectTable, SourceTable, addDistinct, distinctCount, type Distinct } from "./report-tables.js";

export interface RttSummary { count: number; p50: number | null; p90: number | null; p99: number | null; max: number | null }

export interface ServerFailures { server: string; port: number; failed: number; attempts: number; outcomes: Partial<Record<HandshakeOutcome, number>> }

/**
 * Failed handshakes per server host, over all its ports: a port scan against one host is one
 * finding. `ports` counts the ports with failures (up to 4096); `port` is the port when there
 * is one.
 */
export interface HostFailures {
  server: string; failed: number; attempts: number; ports: number; port: number | null; outcomes: Partial<Record<HandshakeOutcome, number>>;
  /** Present (true) when `ports` is a lower bound: counted to 4 096, or past the report's budget of distinct values. */
  portsAtLeast?: true;
}

export interface ScanSuspect {
  source: string;
  kind: "port-scan" | "host-scan" | "syn-flood";
  syns: number;
  answered: number;
  distinctPorts: number;
  distinctHosts: number;
  /** Present (true) when that count is a lower bound: counted to 4 096, or past the report's budget of distinct values. */
  distinctPortsAtLeast?: true;
  distinctHostsAtLeast?: true;
}

export type { QualityFinding, Timeline } from "./capture-quality.js";

export interface CaptureReport {
  connections: number;
  byOutcome: Partial<Record<HandshakeOutcome, number>>;
  byTeardown: Partial<Record<TeardownKind, number>>;
  byConnState: Partial<Record<ConnState, number>>;
  rttUs: { synToSynAck: RttSummary; synAckToAck: RttSummary };
  /** The servers (address and port) with the most failed handshakes, most first: `top` of them (CaptureReportOptions). */
  topFailedServers: ServerFailures[];
  /** The server hosts with the most failed handshakes, most first: `top` of them. */
  topFailedHosts: HostFailures[];
  /** The sources most like a SYN scan or flood, most SYNs first: `top` of them. */
  scanSuspects: ScanSuspect[];
  /** How many each of the three lists above was taken from, to say how many were left out. */
  totals: { failedServers: ListTotal; failedHosts: ListTotal; scanSuspects: ListTotal };
  quality: { verdict: "good" | "degraded" | "poor"; findings: QualityFinding[] };
  /** The capture's clock: its largest silence between packets, and steps backwards. */
  timeline: Timeline;
}

/**
 * The servers, hosts or sources a top list was taken from. `exact` is false once more than
 * 20 000 of a kind were kept at once and the least active were forgotten (memory stays
 * bounded): `count` is then a lower bound.
 */
export interface ListTotal { count: number; exact: boolean }

export interface CaptureReportOptions {
  /**
   * How many entries topFailedServers, topFailedHosts and scanSuspects hold at most (default
   * 10; a whole number, 0 for none, or Infinity for all that were kept). The command's `--top`.
   */
  top?: number;
}

/** The lists' length when no `top` is given. */
export const DEFAULT_REPORT_TOP = 10;

/** Checks a `top` option: a RangeError or TypeError naming it as `name`. */
export function checkReportTop(top: unknown, name = "top"): void {
  if (top === undefined || top === Infinity) return;
  if (typeof top !== "number") throw new TypeError(`${name} must be a number (a whole number of entries, or Infinity), not ${typeof top === "string" ? `"${top}"` : String(top)}`);
  if (!Number.isInteger(top) || top < 0) throw new RangeError(`${name} must be a whole number of entries, 0 or more (or Infinity: all), not ${top}`);
}

const FAILED: ReadonlySet<HandshakeOutcome> = new Set(["rejected", "unanswered", "aborted", "invalid"]);
const SUSPECT_SYNS = 20; // SYNs a source sends at least to be a scan or flood suspect
const MAX_TRACKED = 20_000; // servers or sources kept at once; the least active half is pruned

// A server host with failed handshakes (its address text made once, when it first fails).
interface HostStats { addr: string; failed: number; ports: Distinct<number>; outcomes: Partial<Record<HandshakeOutcome, number>> }

function bump<K extends string>(counts: Partial<Record<K, number>>, key: K): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class CaptureReportBuilder {
  private connections = 0;
  private readonly byOutcome = new FirstSeenCounts<HandshakeOutcome>();
  private readonly byTeardown = new FirstSeenCounts<TeardownKind>();
  private readonly byConnState = new FirstSeenCounts<ConnState>();
  private readonly rtt1 = new LogHistogram();
  private readonly rtt2 = new LogHistogram();
  private readonly attempts = new CountTable(); //                      per server, connections opened with a SYN
  private readonly failures = new ObjectTable<ServerFailures>(); //     per server with failures
  private readonly hostAttempts = new CountTable(); //                  per server host, the same
  // The distinct ports and hosts the tables below keep, within one budget (report-tables.ts).
  private readonly distinct = new DistinctBudget();
  private readonly hostFailures = new ObjectTable<HostStats>((h) => this.distinct.release(h.ports)); // per server host with failures
  private readonly sources = new SourceTable(this.distinct);
  // The capture's quality: of every connection given, selected or not (addUnselected).
  private readonly quality = new CaptureQuality();
  // Whether the lists' totals lost entries to pruning: a server or host with failures, or a
  // source with enough SYNs to be a suspect.
  private failuresForgotten = false;
  private hostFailuresForgotten = false;
  private suspectsForgotten = false;
  private readonly top: number;

  private readonly facts = new ConnectionFacts();

  /** `options.top`: see CaptureReportOptions (a RangeError when it is not a count). */
  constructor(options: CaptureReportOptions = {}) {
    if (options === null || typeof options !== "object") throw new TypeError(`CaptureReportBuilder's options must be an object ({ top }), not ${options === null ? "null" : typeof options}`);
    checkReportTop(options.top);
    this.top = options.top ?? DEFAULT_REPORT_TOP;
  }

  add(c: ConnectionRecord): void {
    this.addFacts(this.facts.ofRecord(c));
  }

  /** Adds one connection as `c` tells it (connection-facts.ts: from a record or the tracker's columns). */
  addFacts(c: ConnectionFacts): void {
    this.connections++;
    this.byOutcome.add(c.outcome);
    this.byTeardown.add(c.teardown);
    this.byConnState.add(c.connState);
    if (c.rttSynToSynAckUs !== null) this.rtt1.add(c.rttSynToSynAckUs);
    if (c.rttSynAckToAckUs !== null) this.rtt2.add(c.rttSynAckToAckUs);
    this.quality.add(c);
    if (c.origSyns > 0) this.addAttempt(c);
  }

  /**
   * A connection the scan gave that a filter left out of the report: only the capture's quality
   * counts it (its findings are about the capture, not about what was selected).
   */
  addUnselected(c: ConnectionRecord): void {
    this.addUnselectedFacts(this.facts.ofRecord(c));
  }

  /** The same, as `c` tells it. */
  addUnselectedFacts(c: ConnectionFacts): void {
    this.quality.add(c);
  }

  // A connection whose originator sent a SYN: its server's, server host's and source's figures.
  private addAttempt(c: ConnectionFacts): void {
    const host = c.respHost(), port = c.respPort;
    const key = endpointKey(host, port);
    this.attempts.bump(key);
    this.attempts.prune(MAX_TRACKED);
    this.hostAttempts.bump(host);
    this.hostAttempts.prune(MAX_TRACKED);
    if (FAILED.has(c.outcome)) this.addFailure(c, key, host, port);
    const sources = this.sources;
    sources.add(c.origHost(), host, port, c.origSyns, c.synAnswered());
    if ((sources.prune(MAX_TRACKED) ?? 0) >= SUSPECT_SYNS) this.suspectsForgotten = true;
  }

  private addFailure(c: ConnectionFacts, key: Key, host: Key, port: number): void {
    const failures = this.failures;
    let e = failures.keys.find(key);
    if (e < 0) e = failures.add(key, { server: c.respAddr(), port, failed: 0, attempts: 0, outcomes: {} });
    const f = failures.values[e]!;
    f.failed++;
    bump(f.outcomes, c.outcome);
    if (failures.prune(MAX_TRACKED) !== null) this.failuresForgotten = true;
    const hostFailures = this.hostFailures;
    let h = hostFailures.keys.find(host);
    if (h < 0) h = hostFailures.add(host, { addr: c.respAddr(), failed: 0, ports: port, outcomes: {} });
    else hostFailures.values[h]!.ports = addDistinct(hostFailures.values[h]!.ports, port, this.distinct);
    const stats = hostFailures.values[h]!;
    stats.failed++;
    bump(stats.outcomes, c.outcome);
    if (hostFailures.prune(MAX_TRACKED) !== null) this.hostFailuresForgotten = true;
  }

  finish(captures: CaptureSummary[], timeline: Timeline): CaptureReport {
    // To the nanosecond, as the legs are measured: an exact percentile (4 096 values or fewer) stays
    // the value it is (rounded to 0.1 µs, a 453 ns loopback handshake read 500 ns beside a max of
    // 453), and a bucket's middle drops its float tail.
    const ns = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
    const summarize = (h: LogHistogram): RttSummary => ({
      count: h.count, p50: ns(h.quantile(0.5)), p90: ns(h.quantile(0.9)), p99: ns(h.quantile(0.99)), max: h.count ? h.max : null,
    });
    const failures = this.failures, hostFailures = this.hostFailures, sources = this.sources;
    for (let e = 0; e < failures.keys.size; e++) {
      const f = failures.values[e]!;
      f.attempts = Math.max(f.failed, this.attempts.countOf(failures.keys.keyAt(e)));
    }
    const topFailedServers = failures.values.slice(0, failures.keys.size)
      .sort((a, b) => b.failed - a.failed || b.attempts - a.attempts).slice(0, this.top);
    const hosts: HostFailures[] = [];
    for (let e = 0; e < hostFailures.keys.size; e++) {
      const host = hostFailures.keys.keyAt(e), h = hostFailures.values[e]!;
      const port = typeof h.ports === "number" ? h.ports : null;
      // Failures on one port: the attempts on that port; on several: on all the host's ports.
      const attempts = port !== null ? this.attempts.countOf(endpointKey(host, port)) : this.hostAttempts.countOf(host);
      hosts.push({
        server: h.addr, failed: h.failed, attempts: Math.max(h.failed, attempts), ports: distinctCount(h.ports), port, outcomes: h.outcomes,
        ...(this.distinct.atLeast(h.ports) ? { portsAtLeast: true as const } : {}),
      });
    }
    const topFailedHosts = hosts.sort((a, b) => b.failed - a.failed || b.attempts - a.attempts).slice(0, this.top);
    const scanSuspects: ScanSuspect[] = [];
    for (let e = 0; e < sources.keys.size; e++) {
      const syns = sources.syns[e]!, answered = sources.answered[e]!;
      if (syns < SUSPECT_SYNS || answered > 0.2 * syns) continue;
      const ports = sources.ports.count(e), hosts = sources.hosts.count(e);
      const kind = ports >= 10 ? "port-scan" : hosts >= 10 ? "host-scan" : "syn-flood";
      scanSuspects.push({
        source: hostAddress(sources.keys.keyAt(e)), kind, syns, answered, distinctPorts: ports, distinctHosts: hosts,
        ...(sources.ports.atLeast(e) ? { distinctPortsAtLeast: true as const } : {}),
        ...(sources.hosts.atLeast(e) ? { distinctHostsAtLeast: true as const } : {}),
      });
    }
    scanSuspects.sort((a, b) => b.syns - a.syns);
    return {
      connections: this.connections,
      byOutcome: this.byOutcome.toObject(),
      byTeardown: this.byTeardown.toObject(),
      byConnState: this.byConnState.toObject(),
      rttUs: { synToSynAck: summarize(this.rtt1), synAckToAck: summarize(this.rtt2) },
      topFailedServers,
      topFailedHosts,
      scanSuspects: scanSuspects.slice(0, this.top),
      totals: {
        failedServers: { count: failures.keys.size, exact: !this.failuresForgotten },
        failedHosts: { count: hostFailures.keys.size, exact: !this.hostFailuresForgotten },
        scanSuspects: { count: scanSuspects.length, exact: !this.suspectsForgotten },
      },
      quality: this.quality.verdict(captures, timeline),
      timeline: { maxGapSec: timeline.maxGapSec, backwardsSteps: timeline.backwardsSteps },
    };
  }
}
