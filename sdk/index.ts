// tcp-handshake-scan SDK: public entry point.

import "./runtime-check.js"; // first: a Node too old is said before anything else runs

export { decodeCapture, CaptureDecoding } from "./decoder/decode-capture.js";
export type { CaptureSummary, DecodeCaptureOptions, DecodeProgress } from "./decoder/decode-capture.js";
export { PacketDecoder, DEFAULT_CHUNK_SIZE } from "./decoder/packet-decoder.js";
export type {
  DecoderOptions, CaptureStats, ReassemblyStats, TunnelStats, SectionInfo, InterfaceInfo, Timestamp, ContainerFormat,
} from "./decoder/packet-decoder.js";
export { PacketBatch, formatAddress, formatEndpoint } from "./decoder/packet-batch.js";
export type { TcpPacketRecord, SlotExtras } from "./decoder/packet-batch.js";
export { TUNNEL_TYPES, UDP_TUNNEL_TYPES, DEFAULT_TUNNEL_PORTS, parseTunnelPorts } from "./decoder/tunnels.js";
export type { TunnelLevel, TunnelType, TunnelPorts, UdpTunnelType } from "./decoder/tunnels.js";
export type { DecodeError, DecodeWarning } from "./decoder/diagnostics.js";
export { InputTypeError } from "./decoder/capture-input.js";
export type { CaptureInput, ByteSource } from "./decoder/capture-input.js";
export { linkTypeName } from "./decoder/link-types.js";
export * as layout from "../assembly/layout.js";
export { scan, createScanner } from "./scan.js";
export type { ScanOptions, ScanResult, Scanner } from "./scan.js";
export { createLineScanner } from "./lines/scan-lines.js";
export type { LineScanner } from "./lines/scan-lines.js";
export { registerLineFormat } from "./lines/line-formats.js";
export type { LineSpec, LineFormatter, ValuesFormatter } from "./lines/line-formats.js";
export type { ByteSink } from "./lines/byte-sink.js";
export type { RecordValues, EndpointValues, OptionValues } from "./connections/record-values.js";
export type {
  ConnectionRecord, EndpointRecord, HandshakeOutcome, HandshakeOptions, TeardownKind, RecordAnalysis, RecordTunnel,
} from "./connections/connection-record.js";
export type { RecordTunnelLevel } from "./connections/tunnel-chain.js";
export { chainText as tunnelChainText } from "./connections/tunnel-chain.js";
export type { SideAnalysis, AckRtt, CountName } from "./connections/analysis/analysis-result.js";
export { COUNT_NAMES as ANALYSIS_COUNTS } from "./connections/analysis/analysis-result.js";
export { connState, CONN_STATE_DESCRIPTIONS } from "./connections/conn-state.js";
export type { ConnState } from "./connections/conn-state.js";
export { ANOMALIES } from "./connections/anomalies.js";
export { ZEEK_LIKELY_SERVER_PORTS } from "./connections/likely-server-ports.js";
export { ZEEK_TIMEOUTS, DEFAULT_MAX_HALF_OPEN, DEFAULT_MAX_CONNECTIONS } from "./connections/tracker.js";
export type { Timeouts } from "./connections/tracker.js";
export { CaptureReportBuilder, DEFAULT_REPORT_TOP } from "./report/capture-report.js";
export type { CaptureReport, RttSummary, ServerFailures, HostFailures, ScanSuspect, QualityFinding, Timeline, ListTotal, CaptureReportOptions } from "./report/capture-report.js";
export { compileFilter, FilterSyntaxError } from "./filter/connection-filter.js";
export type { CompiledFilter, ConnectionFilter, ConnectionPredicate, ProvisionalConnection } from "./filter/connection-filter.js";
export { captureLadders, drawLadders, type LadderCount } from "./ladder/ladder-capture.js";
export { LadderSpillError } from "./ladder/spill-file.js";
export type { ConnectionLadder, LadderPacket } from "./ladder/ladder-capture.js";
export { renderLadder } from "./ladder/render-ladder.js";
export { explainConnection, explainHandshake, explainTeardown } from "./ladder/explain.js";
export { peekFirstTimestamp, peekInput, PEEK_LIMIT_BYTES } from "./decoder/peek.js";
export type { PeekedInput } from "./decoder/peek.js";
export { epochString } from "./decoder/timestamp.js";
export { partitionCaptures, MAX_BUCKETS } from "./partition/partition-captures.js";
export type { PartitionOptions, PartitionResult } from "./partition/partition-captures.js";
export { openPartitionSet, createBucketScanner } from "./partition/track-bucket.js";
export type { BucketOptions } from "./partition/track-bucket.js";
export { PartitionError, PartitionDamage } from "./partition/map-outputs.js";
export type { PartitionSet, MapOutput, OrderedFile } from "./partition/map-outputs.js";
export type { Manifest, PartitionedFile } from "./partition/format.js";
