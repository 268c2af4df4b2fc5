// A connection's ndjson line written from its record's bytes (connection-layout.ts), the same
// bytes as sdk/lines/ndjson-bytes.ts writeNdjson writes, for the one-thread line scan. Its rules
// (record-rules.ts, and the figures below: endpoint bytes and missedBytes, options, RTTs, the
// anomalies' order, the analysis side) are a THIRD COPY of sdk/connections/record-values.ts's and
// analysis-result.ts's: test/sdk/lines/wasm-lines.test.ts holds the lines byte-equal to the JS
// writer's. writeLine declines (returns 0: JS writes that line) what it does not cover: a history
// past HISTORY_WRITTEN_MAX letters, a time epochDigits() does not take, a number not certain.

import * as C from "../connection-layout";
import * as A from "../analysis-layout";
import * as L from "../layout";
import { out, startAt, byte, uint32, fixedDigits, Fixed, raw, copy, nullText } from "./sink";
import { number } from "./numbers";
import { ipv4, ipv6 } from "./address";
import { communityId } from "./community-id";
import { seqSpan, outcome, OUTCOME_NAMES, OUTCOME_MID_STREAM, teardown, TEARDOWN_NAMES, connState, CONN_STATES, us, rttUs } from "./record-rules";
import { historyLength as lettersIn, historyLetters, HISTORY_WRITTEN_MAX } from "./record-blocks";
import { tunnel } from "./ndjson-tunnel";
import { anomalyNames, anomalyList } from "./anomaly-list";
import { reportedQuantile } from "./row-cells";

let declined = false; // a number String(n) must write: the line is left to JS

@inline function num(n: f64): void { if (!number(n)) declined = true; }
function nullOr(k: Fixed, isNull: bool, v: f64): void { raw(k); if (isNull) nullText(); else num(v); }
// A flag's key and value in one text: flagTexts(k)[1] is k + "true", [0] k + "false".
@inline function flag(k: StaticArray<Fixed>, v: bool): void { raw(unchecked(k[<i32>v])); }
const flagTexts = (k: string): StaticArray<Fixed> => {
  const both = new StaticArray<Fixed>(2);
  both[0] = new Fixed(k + "false"); both[1] = new Fixed(k + "true");
  return both;
};
const quoted = (names: string[], before: string = "", after: string = ""): StaticArray<Fixed> => {
  const all = new StaticArray<Fixed>(names.length);
  for (let i = 0; i < names.length; i++) all[i] = new Fixed(before + '"' + names[i] + '"' + after);
  return all;
};
const OUTCOMES = quoted(OUTCOME_NAMES), TEARDOWNS = quoted(TEARDOWN_NAMES);
const STATES = quoted(CONN_STATES, '},"connState":', ',"history":"');
const ANOMALIES = anomalyNames('"', '":');
const COUNT_NAMES = ["retransmission", "fastRetransmission", "spuriousRetransmission", "outOfOrder", "dupAck", "lostSegment",
  "ackedUnseen", "zeroWindow", "zeroWindowProbe", "zeroWindowProbeAck", "windowFull", "windowUpdate", "keepAlive", "keepAliveAck"];
const COUNTS = new StaticArray<Fixed>(14);
let noVerdicts = "";
for (let i = 0; i < 14; i++) {
  COUNTS[i] = new Fixed((i ? ',"' : '{"') + COUNT_NAMES[i] + '":');
  noVerdicts += (i ? ',"' : '{"') + COUNT_NAMES[i] + '":0';
}
const NO_SAMPLES_TEXT = ',"ackRttUs":{"samples":0,"min":null,"mean":null,"max":null,"p50":null,"p95":null';
const NO_VERDICTS = new Fixed(noVerdicts), NO_SAMPLES = new Fixed(NO_SAMPLES_TEXT);
const NO_VERDICTS_OR_SAMPLES = new Fixed(noVerdicts + NO_SAMPLES_TEXT + '},"retransmittedBytes":');

const K_ID = new Fixed('{"id":'), K_CID = new Fixed(',"communityId":"'), K_TS = new Fixed('","ts":"'), K_DUR = new Fixed('","duration":'),
  K_ORIG = new Fixed(',"orig":{"addr":"'), K_RESP_ADDR = new Fixed(',"resp":{"addr":"'), K_PORT = new Fixed('","port":'),
  K_PKTS = new Fixed(',"pkts":'), K_BYTES = new Fixed(',"bytes":'), K_MISSED = new Fixed(',"missedBytes":'), K_IPB = new Fixed(',"ipBytes":'),
  K_SYN = new Fixed(',"flags":{"syn":'), K_SA = new Fixed(',"synAck":'), K_FIN = new Fixed(',"fin":'), K_RST = new Fixed(',"rst":'),
  K_CLOSE2 = new Fixed("}}"), K_FP = new Fixed(',"firstPacket":'), K_LP = new Fixed(',"lastPacket":'),
  K_OUT = new Fixed(',"handshake":{"outcome":'), K_SC = new Fixed(',"synCount":'), K_SAC = new Fixed(',"synAckCount":'),
  K_R1 = new Fixed(',"rttSynToSynAckUs":'), K_R2 = new Fixed(',"rttSynAckToAckUs":'), K_SP = new Fixed(',"synPacket":'),
  K_SAP = new Fixed(',"synAckPacket":'), K_ACK = new Fixed(',"ack":'), K_ACKP = new Fixed('{"packet":'), K_ASA = flagTexts(',"acksSynAck":'),
  K_PAY = new Fixed(',"payload":'), K_OPTO = new Fixed(',"options":{"orig":'), K_RESP = new Fixed(',"resp":'),
  K_MSS = new Fixed('{"mss":'), K_WS = new Fixed(',"windowScale":'), K_SACK = flagTexts(',"sackPermitted":'),
  K_TSO = flagTexts(',"timestamps":'), K_ECE = flagTexts(',"ecn":{"ece":'), K_CWR = flagTexts(',"cwr":'), K_AE = flagTexts(',"ae":'),
  K_TFO = new Fixed('},"tfo":'), K_CL = new Fixed('{"cookieLen":'), K_DATA = new Fixed(',"data":'), K_MP = flagTexts(',"mptcp":'),
  K_CLOSE = new Fixed("}"), K_KIND = new Fixed('}},"teardown":{"kind":'), K_FC = new Fixed(',"firstCloser":'),
  K_FCO = new Fixed('"orig"'), K_FCR = new Fixed('"resp"'), K_ANOM = new Fixed('","anomalies":{'),
  K_AO = new Fixed('},"analysis":{"orig":'), K_SAMP = new Fixed(',"ackRttUs":{"samples":'), K_MIN = new Fixed(',"min":'),
  K_MEAN = new Fixed(',"mean":'), K_MAX = new Fixed(',"max":'), K_P50 = new Fixed(',"p50":'), K_P95 = new Fixed(',"p95":'),
  K_RB = new Fixed('},"retransmittedBytes":'), K_MG = new Fixed(',"maxGapUs":'), K_FPU = new Fixed(',"firstPayloadUs":'),
  K_END = new Fixed("}\n"), K_VLAN = new Fixed(',"vlan":'), K_IVLAN = new Fixed(',"innerVlan":');

function endpoint(e: usize, addr: usize, v6: bool, port: u32, bytes: f64): void {
  if (v6) ipv6(addr); else ipv4(addr);
  raw(K_PORT); uint32(port);
  raw(K_PKTS); num(load<f64>(e + C.E_PKTS));
  raw(K_BYTES); num(bytes);
  nullOr(K_MISSED, (load<u8>(e + C.E_REASM) & C.REASM_INEXACT) != 0, load<f64>(e + C.E_MISSED_BYTES));
  raw(K_IPB); num(load<f64>(e + C.E_IP_BYTES));
  raw(K_SYN); uint32(load<u32>(e + C.E_SYNS)); raw(K_SA); uint32(load<u32>(e + C.E_SYN_ACKS));
  raw(K_FIN); uint32(load<u32>(e + C.E_FINS)); raw(K_RST); uint32(load<u32>(e + C.E_RSTS));
  raw(K_CLOSE2);
}

function options(e: usize): void {
  if (load<u32>(e + C.E_SYNS) == 0 && load<u32>(e + C.E_SYN_ACKS) == 0) { nullText(); return; }
  const bits = <u32>load<u16>(e + C.E_OPTION_BITS), ecn = load<u8>(e + C.E_ECN_BITS), ws = load<u8>(e + C.E_WINDOW_SCALE);
  nullOr(K_MSS, !(bits & L.OPT_MSS), <f64>load<u16>(e + C.E_MSS));
  nullOr(K_WS, ws == 0xff, <f64>ws);
  flag(K_SACK, (bits & L.OPT_SACK_PERMITTED) != 0);
  flag(K_TSO, (bits & L.OPT_TIMESTAMPS) != 0);
  flag(K_ECE, (ecn & 1) != 0); flag(K_CWR, (ecn & 2) != 0); flag(K_AE, (ecn & 4) != 0);
  const cookie = load<i16>(e + C.E_TFO_COOKIE_LEN), data = load<u32>(e + C.E_SYN_PAYLOAD);
  raw(K_TFO);
  if (cookie >= 0 || data > 0) {
    raw(K_CL);
    if (cookie >= 0) uint32(<u32>cookie); else nullText(); // null: data on the SYN without a TFO option
    raw(K_DATA); uint32(data); raw(K_CLOSE);
  }
  else nullText();
  flag(K_MP, (bits & L.OPT_MPTCP) != 0);
  raw(K_CLOSE);
}

function side(a: usize, k: i32, handshakeTime: f64): void {
  const counts = a + A.A_COUNTS + <usize>k * A.COUNTS_STRIDE, r = a + A.A_RTT + <usize>k * A.RTT_STRIDE;
  let verdicts = false;
  for (let i = 0; i < 14; i++) if (load<u32>(counts + (<usize>i << 2)) != 0) verdicts = true;
  const n = load<u32>(r + A.R_SAMPLES);
  if (!verdicts && n == 0) raw(NO_VERDICTS_OR_SAMPLES);
  else {
    if (verdicts) for (let i = 0; i < 14; i++) { raw(COUNTS[i]); uint32(load<u32>(counts + (<usize>i << 2))); }
    else raw(NO_VERDICTS);
    if (n == 0) raw(NO_SAMPLES);
    else {
      const q = a + A.A_QUANTILES + <usize>k * A.QUANTILES_STRIDE;
      raw(K_SAMP); uint32(n);
      const min = us(load<f64>(r + A.R_MIN)), max = us(load<f64>(r + A.R_MAX));
      const p50 = reportedQuantile(q + A.Q_HEIGHTS, n, 500, min, max);
      raw(K_MIN); num(min);
      raw(K_MEAN); num(us(load<f64>(r + A.R_SUM) / <f64>n));
      raw(K_MAX); num(max);
      raw(K_P50); num(p50);
      raw(K_P95); num(reportedQuantile(q + A.QUANTILE_STRIDE + A.Q_HEIGHTS, n, 950, p50, max));
    }
    raw(K_RB);
  }
  num(load<f64>(counts + A.C_RETRANSMITTED_BYTES));
  const gap = load<f64>(a + <usize>k * A.SIDE_STRIDE + A.S_MAX_GAP);
  nullOr(K_MG, gap < 0, us(gap));
  const fp = load<f64>(a + A.A_FIRST_PAYLOAD_TIME + <usize>k * 8);
  nullOr(K_FPU, isNaN(fp) || isNaN(handshakeTime), us(fp > handshakeTime ? fp - handshakeTime : 0));
  raw(K_CLOSE);
}

/**
 * The most bytes a line takes (with raw()'s slack): the room writeLine, writeCsvLine and
 * writeZeekLine need at `at`. An ndjson line is the longest: ~1 350 bytes of keys, ~95 numbers
 * of at most 18 characters (longer ones are declined), addresses, 12 anomalies (~430), a tunnel
 * object (~560) and up to HISTORY_WRITTEN_MAX (1 024) history letters: ~5 200 at most.
 */
export const LINE_MAX_BYTES: u32 = 6144;

/** Writes the line of the record at `c` at `at` (room for LINE_MAX_BYTES); its end, or 0 when JS must write it. */
export function writeLine(c: usize, at: usize): usize {
  const historyLength = lettersIn(c);
  const sec = load<f64>(c + C.C_FIRST_SEC), nsec = load<u32>(c + C.C_FIRST_NSEC);
  if (historyLength > HISTORY_WRITTEN_MAX) return 0;
  if (!(sec >= 0 && sec < 2147483648 && sec == Math.floor(sec)) || nsec >= 1000000000) return 0; // epochDigits()
  declined = false;
  startAt(at);
  const origSide = <u32>load<u8>(c + C.C_FLIPPED);
  const e0 = c + C.C_ENDPOINTS, e1 = e0 + C.ENDPOINT_STRIDE;
  const o = origSide ? e1 : e0, r = origSide ? e0 : e1;
  const v6 = load<u32>(c + C.C_KEY_VERSION) != 4;
  const origAt = c + <usize>origSide * 16, respAt = c + <usize>(origSide ^ 1) * 16;
  const ports = load<u32>(c + C.C_KEY_PORTS), pa = ports >>> 16, pb = ports & 0xffff;
  const origPort = origSide ? pb : pa, respPort = origSide ? pa : pb;
  const origBytes = seqSpan(o), respBytes = seqSpan(r);
  const hs = <u32>load<u16>(c + C.C_HANDSHAKE_FLAGS);
  const id = Math.floor(load<f64>(c + C.C_ID)); // the key's whole part (connection-layout.ts)
  raw(K_ID); num(id);
  raw(K_CID); communityId(v6 ? 16 : 4, origAt, origPort, respAt, respPort, 0);
  raw(K_TS); uint32(<u32>sec); byte(0x2e); fixedDigits(nsec, 9);
  raw(K_DUR); num(Math.max(0, Math.round((load<f64>(c + C.C_DURATION_END) - load<f64>(c + C.C_FIRST_TIME)) * 1e9) / 1e9));
  raw(K_ORIG); endpoint(o, origAt, v6, origPort, origBytes);
  raw(K_RESP_ADDR); endpoint(r, respAt, v6, respPort, respBytes);
  raw(K_FP); num(id); raw(K_LP); num(load<f64>(c + C.C_LAST_PACKET) + 1);
  const handshake = outcome(c, o, r);
  raw(K_OUT); raw(OUTCOMES[handshake]);
  raw(K_SC); uint32(load<u32>(o + C.E_SYNS)); raw(K_SAC); uint32(load<u32>(r + C.E_SYN_ACKS));
  const answered = (hs & C.HS_SYN_ACK_ANSWERED) != 0;
  nullOr(K_R1, !answered, rttUs(load<f64>(c + C.C_SYN_TIME_ANSWERED), load<f64>(c + C.C_SYN_ACK_TIME)));
  nullOr(K_R2, !((hs & C.HS_ACK_SEEN) && !(hs & C.HS_ACK_MISMATCH)), rttUs(load<f64>(c + C.C_SYN_ACK_TIME_ANSWERED), load<f64>(c + C.C_HANDSHAKE_ACK_TIME)));
  nullOr(K_SP, !answered, load<f64>(c + C.C_SYN_PACKET) + 1);
  nullOr(K_SAP, !answered, load<f64>(c + C.C_SYN_ACK_PACKET) + 1);
  raw(K_ACK);
  if (!(hs & C.HS_ACK_SEEN)) nullText();
  else {
    raw(K_ACKP); num(load<f64>(c + C.C_ACK_PACKET) + 1);
    flag(K_ASA, !(hs & C.HS_ACK_MISMATCH));
    raw(K_PAY); uint32(load<u32>(c + C.C_ACK_PAYLOAD)); raw(K_CLOSE);
  }
  raw(K_OPTO); options(o); raw(K_RESP); options(r);
  raw(K_KIND); raw(TEARDOWNS[teardown(c, o, r, origSide)]);
  raw(K_FC);
  const closer = <u32>load<u8>(c + C.C_FIRST_CLOSE_SIDE);
  if (closer == 0) nullText(); else raw(closer - 1 == origSide ? K_FCO : K_FCR);
  const letters = historyLetters(c, historyLength);
  raw(STATES[connState(load<u8>(o + C.E_STATE), load<u8>(r + C.E_STATE), letters, historyLength, origBytes, respBytes)]);
  copy(letters, <usize>historyLength);
  raw(K_ANOM);
  anomalyList(c, ANOMALIES, 0x2c, handshake == OUTCOME_MID_STREAM, load<f64>(o + C.E_PKTS) == 0 || load<f64>(r + C.E_PKTS) == 0);
  const a = c + C.C_ANALYSIS, handshakeTime = load<f64>(a + A.A_HANDSHAKE_TIME);
  raw(K_AO); side(a, <i32>origSide, handshakeTime);
  raw(K_RESP); side(a, <i32>(origSide ^ 1), handshakeTime);
  const gap = load<f64>(a + A.A_MAX_GAP);
  nullOr(K_MG, gap < 0, us(gap));
  raw(K_CLOSE);
  const vlan = load<u16>(c + C.C_VLAN), innerVlan = load<u16>(c + C.C_INNER_VLAN);
  if (vlan != L.NO_VLAN) { raw(K_VLAN); uint32(vlan); }
  if (innerVlan != L.NO_VLAN) { raw(K_IVLAN); uint32(innerVlan); }
  if (load<u8>(c + C.C_TUNNEL_PARENT_COUNT) != 0) tunnel(c);
  raw(K_END);
  return declined ? 0 : out;
}
