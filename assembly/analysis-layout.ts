// The one definition of the TCP analysis engine's codes and of its state block in WebAssembly
// memory, shared by the WebAssembly engine (assembly/tracker/analysis/) and the TypeScript SDK
// (sdk/connections/analysis/, the reference engine and the reader of the WebAssembly block).
// Like layout.ts it is compiled twice, by asc and by tsc, so it holds integer constants only.
// Bump ANALYSIS_LAYOUT_VERSION on any change. The rules are restated in docs/tcp-analysis.md.

export const ANALYSIS_LAYOUT_VERSION = 2;

// ---------------------------------------------------------------------------------------------
// Verdicts: the bits one packet can carry, one per count below (bit i is count i). Wireshark
// shows `tcp.analysis.retransmission` on generic, fast and spurious retransmissions alike: the
// first count adds up all three, while the verdict bit V_RETRANSMISSION is the generic kind only.
export const V_RETRANSMISSION = 0x0001;
export const V_FAST_RETRANSMISSION = 0x0002;
export const V_SPURIOUS_RETRANSMISSION = 0x0004;
export const V_OUT_OF_ORDER = 0x0008;
export const V_DUP_ACK = 0x0010;
export const V_LOST_SEGMENT = 0x0020; //        "previous segment not captured"
export const V_ACKED_UNSEEN = 0x0040; //        "ACKed unseen segment"
export const V_ZERO_WINDOW = 0x0080;
export const V_ZERO_WINDOW_PROBE = 0x0100;
export const V_ZERO_WINDOW_PROBE_ACK = 0x0200;
export const V_WINDOW_FULL = 0x0400;
export const V_WINDOW_UPDATE = 0x0800;
export const V_KEEP_ALIVE = 0x1000;
export const V_KEEP_ALIVE_ACK = 0x2000;
export const V_ANY_RETRANSMISSION = 0x0007;
export const COUNTS = 14;

// ---------------------------------------------------------------------------------------------
// Bounds.
/**
 * Unacknowledged segments kept per side for ack-RTT matching (Wireshark keeps up to 10 000):
 * RING_INLINE in the side's own state; a side with more in flight borrows a block of RING_BLOCK
 * entries from a pool shared by all connections (DEFAULT_RING_BLOCKS blocks unless the engine
 * is given another number) and gives it back once its segments fit inline again.
 */
export const RING_INLINE = 8;
export const RING_BLOCK = 128;
export const DEFAULT_RING_BLOCKS = 1024;
/** Wireshark's limit on the unacknowledged segments it lists (TCP_MAX_UNACKED_SEGMENTS). */
export const MAX_UNACKED = 10000;
/** Fast retransmission: at most this long (seconds) after the peer's last (duplicate) ACK. */
export const FAST_RETRANSMISSION_WINDOW = 20; // milliseconds, as an integer constant
/** Out-of-order threshold (milliseconds) while the handshake RTT is unknown. */
export const OUT_OF_ORDER_DEFAULT = 3;

// Window-scale codes (S_WIN_SCALE): a shift 0..14, or one of these.
export const WSCALE_UNKNOWN = -1;
export const WSCALE_NONE = -2; //                the handshake showed that no scaling is used

// S_BITS
export const SB_BASE_SET = 1; //                 S_BASE_SEQ holds the side's base sequence number
/**
 * The ring's ends may not be in order (or span 2^30 or more): an ACK must look at every entry.
 * While clear, the entries an ACK covers are a prefix and only those are looked at.
 */
export const SB_RING_UNSORTED = 2;
/** Ring entries spanning this much or more are treated as unsorted. */
export const RING_SORTED_SPAN = 0x40000000;

// Handshake stages (A_HS_STAGE), for the time to the first payload byte.
export const HS_NONE = 0;
export const HS_SYN = 1; //                      a pure SYN came from A_SYN_SIDE
export const HS_SYN_ACK = 2; //                  ... and a SYN/ACK from the other side
export const HS_DONE = 3; //                     ... and an ACK from A_SYN_SIDE (A_HANDSHAKE_TIME)

// ---------------------------------------------------------------------------------------------
// The WebAssembly engine's state for one connection: ANALYSIS_SIZE bytes, little-endian,
// 8-byte aligned. Times are seconds on the capture clock (f64); "none" is NaN where it says so.
export const A_FIRST_RTT = 0; //        f64: the handshake RTT Wireshark uses (0: not known yet)
export const A_MRU_SYN = 8; //          f64: time of the latest pure SYN (NaN: none)
export const A_LAST_TIME = 16; //       f64: the connection's latest packet (NaN: none)
export const A_MAX_GAP = 24; //         f64: largest gap between two packets of the connection (-1: none)
export const A_HANDSHAKE_TIME = 32; //  f64: the handshake's last packet (NaN: not seen)
export const A_SYN_SIDE = 40; //        u8: side of the first pure SYN
export const A_HS_STAGE = 41; //        u8: HS_*
export const A_SIDES = 64; //           two side blocks of SIDE_STRIDE bytes, side 0 then side 1

// A side's fields, at offsets from its block (A_SIDES + side * SIDE_STRIDE). "fwd" in the rules
// is the block of the packet's sender, "rev" the other.
export const S_NEXT_SEQ = 0; //         u32: highest next-expected sequence number (0: none yet)
export const S_MAX_SEQ_TO_BE_ACKED = 4; // u32: end of the contiguous data seen (0: none yet)
export const S_LAST_ACK = 8; //         u32: acknowledgement number of the side's latest packet
export const S_WINDOW = 12; //          u32: raw window of the side's latest packet (0xffffffff: none)
export const S_BASE_SEQ = 16; //        u32: ISN, or first sequence number - 1 (SB_BASE_SET)
export const S_DUP_ACK_NUM = 20; //     i32: duplicate ACKs in a row (-1 after an ACKed-unseen)
export const S_UNACKED = 24; //         u32: segments Wireshark would list as unacknowledged
export const S_LAST_FLAGS = 28; //      u16: verdicts of the side's latest packet
export const S_WIN_SCALE = 30; //       i8: shift, WSCALE_UNKNOWN or WSCALE_NONE
export const S_BITS = 31; //            u8: SB_*
export const S_NEXT_SEQ_TIME = 32; //   f64: when S_NEXT_SEQ last advanced
export const S_LAST_ACK_TIME = 40; //   f64: time of the side's latest packet
export const S_LAST_TIME = 48; //       f64: the side's latest packet (NaN: none)
export const S_FIRST_PAYLOAD_TIME = 56; // f64: the side's first payload byte (NaN: none)
export const S_RING_NEXT = 64; //       u32 x RING_INLINE: end sequence number of unacknowledged segments
export const S_RING_COUNT = S_RING_NEXT + RING_INLINE * 4; // u16: entries in use, oldest first
export const S_RING_START = S_RING_COUNT + 2; // u16: index of the oldest (entries run from there, no wrap)
export const S_RING_BLOCK = S_RING_COUNT + 4; // i32: pool block + 1 holding them instead (0: inline)
export const S_RING_TIME = S_RING_BLOCK + 4; // f64 x RING_INLINE: when each was sent
// Results.
export const S_COUNTS = S_RING_TIME + RING_INLINE * 8; // u32 x COUNTS, in verdict-bit order
export const S_RTT_SAMPLES = S_COUNTS + COUNTS * 4; // u32
export const S_RTT_MIN = S_RTT_SAMPLES + 8; //        f64 seconds
export const S_RTT_MAX = S_RTT_MIN + 8;
export const S_RTT_SUM = S_RTT_MAX + 8;
export const S_RETRANSMITTED_BYTES = S_RTT_SUM + 8; // f64
export const S_MAX_GAP = S_RETRANSMITTED_BYTES + 8; // f64: largest gap between two packets the side sent (-1: none)
// Two P-square quantile estimators (p50, p95) of the ack-RTT in microseconds: five marker
// heights (f32) then the three inner marker positions (i32) each.
export const S_QUANTILES = S_MAX_GAP + 8;
export const QUANTILE_STRIDE = 32;
export const Q_HEIGHTS = 0;
export const Q_POSITIONS = 20;
export const SIDE_STRIDE = S_QUANTILES + 2 * QUANTILE_STRIDE;
export const ANALYSIS_SIZE = A_SIDES + 2 * SIDE_STRIDE;
