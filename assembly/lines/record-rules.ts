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
  if ((seen & C.SEEN_FIN) && <i32>(top - fin) > 0) end -= <f64>(top - fin);
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
    return load<u32>(r + C.E_RSTS) > 0 ? 4 : 5;
  }
  if (load<u32>(r + C.E_SYN_ACKS) > 0 || load<u32>(o + C.E_SYN_ACKS) > 0) return 6;
  return OUTCOME_MID_STREAM;
}

export const TEARDOWN_NAMES = ["fin-then-rst", "rst-orig", "rst-resp", "simultaneous-close", "fin", "fin-3", "half-closed-orig",
  "half-closed-resp", "evicted", "timeout", "open"];

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
  return by == C.REMOVED_INACTIVITY || by == C.REMOVED_ATTEMPT ? 9 : 10;
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
