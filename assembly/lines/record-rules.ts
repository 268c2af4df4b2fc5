// The record's derived rules, read from its bytes (connection-layout.ts) for the ndjson line the
// WebAssembly writes (ndjson.ts): a THIRD COPY of the rules of sdk/connections/record-values.ts
// (bytes, handshake outcome, teardown) and conn-state.ts (connState), which the TypeScript
// records, the other formats and the reference tracker go on using. Change them together:
// test/sdk/lines/wasm-lines.test.ts holds the wasm lines byte-equal to writeNdjson's on every
// corpus capture and on the capture-writer fixtures.

import * as C from "../connection-layout";

/** An endpoint's bytes: its sequence span when its start and top are known, else its payload. */
export function seqSpan(e: usize): f64 {
  const seen = load<u8>(e + C.E_SEEN);
  const need = C.SEEN_START | C.SEEN_TOP;
  if ((seen & need) != need) return load<f64>(e + C.E_PAYLOAD_BYTES);
  const top = load<u32>(e + C.E_TOP_SEQ), fin = load<u32>(e + C.E_LAST_FIN_POS);
  let end = <f64>load<u32>(e + C.E_TOP_WRAPS) * 4294967296 + <f64>top;
  if ((seen & C.SEEN_FIN) && <i32>(top - fin) > 0) end -= 1; // the FIN's octet (record-values.ts)
  const span = end - <f64>load<u32>(e + C.E_START_SEQ);
  return span > 0 ? span : 0;
}

export const OUTCOME_NAMES = ["simultaneous-open", "invalid", "aborted", "complete", "rejected", "unanswered", "syn-ack-only", "mid-stream"];
export const OUTCOME_MID_STREAM = 7;

/** The handshake outcome, as an index of OUTCOME_NAMES. */
export function outcome(c: usize, o: usize, r: usize): i32 {
  const hs = <u32>load<u16>(c + C.C_HANDSHAKE_FLAGS);
  const so = load<u32>(o + C.E_SYNS), sr = load<u32>(r + C.E_SYNS);
  if ((hs & C.HS_SIMULTANEOUS) || (so > 0 && sr > 0)) return 0;
  if (so > 0) {
    if (load<u32>(r + C.E_SYN_ACKS) > 0) {
      if (!(hs & C.HS_SYN_ACK_ANSWERED) && (hs & C.HS_SYN_ACK_MISMATCH)) return 1;
      if (hs & C.HS_ACK_MISMATCH) return 1;
      if ((hs & C.HS_RST_BEFORE_ACK) && !(hs & (C.HS_ACK_SEEN | C.HS_PEER_ACKED_DATA))) return 2;
      return 3;
    }
    // The SYN/ACK not captured, the SYN acknowledged: aborted by a RST before the originator's ACK.
    if (hs & C.HS_SYN_ACKED_UNSEEN) return load<u32>(o + C.E_RSTS) + load<u32>(r + C.E_RSTS) > 0 && !(hs & C.HS_ORIG_ACKED_UNSEEN) ? 2 : 3;
    return load<u32>(r + C.E_RSTS) > 0 ? 4 : 5;
  }
  if (load<u32>(r + C.E_SYN_ACKS) > 0 || load<u32>(o + C.E_SYN_ACKS) > 0) return 6;
  return OUTCOME_MID_STREAM;
}

export const TEARDOWN_NAMES = ["fin-then-rst", "rst-orig", "rst-resp", "simultaneous-close", "fin", "fin-3", "half-closed-orig",
  "half-closed-resp", "evicted", "timeout", "open", "reused"];

/** The teardown kind, as an index of TEARDOWN_NAMES; `origSide` is the originator's endpoint (0 or 1). */
export function teardown(c: usize, o: usize, r: usize, origSide: u32): i32 {
  const flags = load<u8>(c + C.C_CLOSE_FLAGS), rst = <u32>load<u8>(c + C.C_FIRST_RST_SIDE), by = load<u8>(c + C.C_REMOVED_BY);
  if (rst) {
    if (flags & C.CLOSE_FIN_BEFORE_RST) return 0;
    return rst - 1 == origSide ? 1 : 2;
  }
  const fo = load<u32>(o + C.E_FINS), fr = load<u32>(r + C.E_FINS);
  if (fo > 0 && fr > 0) {
    if (!(flags & C.CLOSE_SECOND_FIN_ACKS_FIRST)) return 3;
    return flags & C.CLOSE_PEER_ACKED_FIN ? 4 : 5;
  }
  if (fo > 0) return 6;
  if (fr > 0) return 7;
  if (by == C.REMOVED_EVICTED) return 8;
  if (by == C.REMOVED_REUSE) return 11;
  return by == C.REMOVED_INACTIVITY || by == C.REMOVED_ATTEMPT || by == C.REMOVED_IDLE_EMPTY ? 9 : 10;
}

export const CONN_STATES = ["S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"];

@inline function inactiveIsh(s: u32): bool { return s == C.INACTIVE || s == C.PARTIAL; }

// conn-state.ts's /^\^?S[^HAFGIQ]*R/ on the history's letters
function rstos0(h: usize, len: i32): bool {
  let i = 0;
  if (i < len && load<u8>(h) == 0x5e) i++;
  if (i >= len || load<u8>(h + i) != 0x53) return false;
  for (i++; i < len; i++) {
    const ch = load<u8>(h + i);
    if (ch == 0x52) return true;
    if (ch == 0x48 || ch == 0x41 || ch == 0x46 || ch == 0x47 || ch == 0x49 || ch == 0x51) return false;
  }
  return false;
}

/** Zeek's conn_state from the endpoint states, history letters and bytes, as an index of CONN_STATES. */
export function connState(o: u32, r: u32, h: usize, len: i32, origBytes: f64, respBytes: f64): i32 {
  if (r == C.RESET) {
    if (o == C.SYN_SENT || o == C.SYN_ACK_SENT || (o == C.RESET && origBytes == 0 && respBytes == 0)) return 3;
    return inactiveIsh(o) ? 9 : 7;
  }
  if (o == C.RESET) {
    if (inactiveIsh(r)) return rstos0(h, len) ? 8 : 12;
    return 6;
  }
  if (o == C.CLOSED && r == C.CLOSED) return 2;
  if (o == C.CLOSED) return inactiveIsh(r) ? 10 : 4;
  if (r == C.CLOSED) return inactiveIsh(o) ? 11 : 5;
  if (o == C.SYN_SENT && r == C.INACTIVE) return 0;
  if (o == C.ESTABLISHED && r == C.ESTABLISHED) return 1;
  return 12;
}

// analysis-result.ts's us() and record-values.ts's rttUs
@inline export function us(s: f64): f64 { return Math.round(s * 1e9) / 1000; }
const NS_EXACT_SPAN: f64 = 1048576; // 2^20 s: record-values.ts's NS_EXACT_SPAN
@inline export function rttUs(from: f64, to: f64): f64 {
  return Math.abs(from) < NS_EXACT_SPAN && Math.abs(to) < NS_EXACT_SPAN ? Math.round((to - from) * 1e9) / 1000 : Math.round((to - from) * 1e7) / 10;
}

/** record-values.ts's duration: never negative, to the nanosecond. */
export function duration(c: usize): f64 {
  return Math.max(0, Math.round((load<f64>(c + C.C_DURATION_END) - load<f64>(c + C.C_FIRST_TIME)) * 1e9) / 1e9);
}

// The flow as every line reads it: which endpoint is the originator's, addresses, ports, bytes.
export let origSide: u32 = 0;
export let origE: usize = 0; //  the originator's endpoint
export let respE: usize = 0;
export let v6: bool = false;
export let origAddr: usize = 0;
export let respAddr: usize = 0;
export let origPort: u32 = 0;
export let respPort: u32 = 0;
export let origBytes: f64 = 0;
export let respBytes: f64 = 0;

/** Reads the flow of the record at `c` into the globals above. */
export function readFlow(c: usize): void {
  origSide = <u32>load<u8>(c + C.C_FLIPPED);
  const e0 = c + C.C_ENDPOINTS, e1 = e0 + C.ENDPOINT_STRIDE;
  origE = origSide ? e1 : e0;
  respE = origSide ? e0 : e1;
  v6 = load<u32>(c + C.C_KEY_VERSION) != 4;
  origAddr = c + <usize>origSide * 16;
  respAddr = c + <usize>(origSide ^ 1) * 16;
  const ports = load<u32>(c + C.C_KEY_PORTS), pa = ports >>> 16, pb = ports & 0xffff;
  origPort = origSide ? pb : pa;
  respPort = origSide ? pa : pb;
  origBytes = seqSpan(origE);
  respBytes = seqSpan(respE);
}

/** A time epochDigits() (sdk/lines/byte-sink.ts) writes from the numbers: every line writer's condition. */
export function plainTime(c: usize): bool {
  const sec = load<f64>(c + C.C_FIRST_SEC), nsec = load<u32>(c + C.C_FIRST_NSEC);
  return sec >= 0 && sec < 2147483648 && sec == Math.floor(sec) && nsec < 1000000000;
}
