// The TCP analysis engine (Wireshark's tcp.analysis.* verdicts, per connection, bounded state).

export { TcpAnalysis, IO_TIME, IO_SEQ, IO_ACK } from "./tcp-analysis.js";
export { AnalysisState } from "./analysis-state.js";
export {
  readAnalysis, unpackAnalysis, COUNT_NAMES, type CountName, type AckRtt, type SideAnalysis, type ConnectionAnalysis,
} from "./analysis-result.js";
