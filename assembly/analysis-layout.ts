// The one definition of the TCP analysis engine's codes and of its state block in WebAssembly
// memory, shared by the WebAssembly engine (assembly/tracker/analysis/) and the TypeScript SDK
// (sdk/connections/analysis/, the reference engine and the reader of the WebAssembly block).
// Like layout.ts it is compiled twice, by asc and by tsc, so it holds integer constants only.
// Bump ANALYSIS_LAYOUT_VERSION on any change. The rules are restated in docs/tcp-analysis.md.

export const ANALYSIS_LAYOUT_VERSION = 4;

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
 * is given another number) and gives it back once its segments fit inline again. The sides of a
 * flow group (flow hash & 63, the unit the threads' trackers share the flows by) hold at most
 * RING_GROUP_BLOCKS blocks at once: whether a side gets one then depends only on its group's
 * connections, so the RTT samples are the same at any thread count (with one pool for all flows,
 * the 1 025th such side of one tracker got none while two trackers had room for it).
 */
export const RING_INLINE = 8;
export const RING_BLOCK = 128;
export const RING_GROUPS = 64;
export const RING_GROUP_BLOCKS = 64;
export const DEFAULT_RING_BLOCKS = RING_GROUPS * RING_GROUP_BLOCKS;
/** At most this many pool blocks (S_RING_BLOCK is a u16); a larger number asked for is cut to it. */
export const MAX_RING_BLOCKS = 65535;
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
export const SB_BASE_SET = 1; //                 A_BASE_SEQ holds the side's base sequence number
/**
 * The ring's ends may not be in order (or span 2^30 or more): an ACK must look at every entry.
 * While clear, the entries an ACK covers are a prefix and only those are looked at.
 */
export const SB_RING_UNSORTED = 2;
/** Ring entries spanning this much or more are treated as unsorted. */
export const RING_SORTED_SPAN = 0x40000000;
/** The side's first payload byte has been seen (its time is in A_FIRST_PAYLOAD_TIME). */
export const SB_FIRST_PAYLOAD = 4;

// A_BITS
/** A pure SYN has been seen (A_MRU_SYN) and the handshake RTT is still 0: an ACK will set it. */
export const AB_RTT_PENDING = 1;
/** The connection's latest packet came from side 1 (its time is that side's S_LAST_TIME). */
export const AB_LAST_SIDE = 2;

// Handshake stages (A_HS_STAGE), for the time to the first payload byte.
export const HS_NONE = 0;
export const HS_SYN = 1; //                      a pure SYN came from A_SYN_SIDE
export const HS_SYN_ACK = 2; //                  ... and a SYN/ACK from the other side
export const HS_DONE = 3; //                     ... and an ACK from A_SYN_SIDE (A_HANDSHAKE_TIME)

// ---------------------------------------------------------------------------------------------
// The WebAssembly engine's state for one connection: ANALYSIS_SIZE bytes, little-endian, placed
// at a 64-byte boundary (the connection table aligns its records). Times are seconds on the
// capture clock (f64); "none" is NaN where it says so. Laid out by how often a packet touches
// a field: an ordinary packet reads and writes the two hot lines (the rules' state of both
// sides, then their times) and a line of a ring; an RTT sample adds its side's estimators'
// line (and its statistics' line, unless the ACK matched one of the ring's first three
// entries, which share it); verdicts, SYNs and the first payload byte the cold lines after them.
//
// Line 0: each side's rule state, SIDE_STRIDE bytes (side 0, then side 1), and per-connection
// bytes in their spare tails. Line 1: each side's times, at the same stride, so that one side
// address `f = a + side * SIDE_STRIDE` reaches both lines ("fwd" in the rules is the block of
// the packet's sender, "rev" the other); the connection's largest gap and the caller's time
// base in the spare tails (the connection's latest packet is AB_LAST_SIDE's S_LAST_TIME).
export const SIDE_STRIDE = 32;
export const S_NEXT_SEQ = 0; //         u32: highest next-expected sequence number (0: none yet)
export const S_MAX_SEQ_TO_BE_ACKED = 4; // u32: end of the contiguous data seen (0: none yet)
export const S_LAST_ACK = 8; //         u32: acknowledgement number of the side's latest packet
export const S_WINDOW = 12; //          u32: raw window of the side's latest packet (0xffffffff: none)
export const S_DUP_ACK_NUM = 16; //     i32: duplicate ACKs in a row (-1 after an ACKed-unseen)
export const S_LAST_FLAGS = 20; //      u16: verdicts of the side's latest packet
export const S_WIN_SCALE = 22; //       i8: shift, WSCALE_UNKNOWN or WSCALE_NONE
export const S_BITS = 23; //            u8: SB_*
export const S_RING_COUNT = 24; //      u8: unacknowledged segments listed (at most RING_BLOCK), oldest first
export const S_RING_START = 25; //      u8: index of the oldest (entries run from there, no wrap)
export const S_RING_BLOCK = 26; //      u16: pool block + 1 holding them instead of the inline ring (0: inline)
export const S_UNACKED = 28; //         u16: segments Wireshark would list as unacknowledged (<= MAX_UNACKED)
export const A_HS_STAGE = 30; //        u8 (side 0's tail): HS_*
export const A_SYN_SIDE = 31; //        u8: side of the first pure SYN
export const A_BITS = 62; //            u8 (side 1's tail): AB_*
export const S_NEXT_SEQ_TIME = 64; //   f64: when S_NEXT_SEQ last advanced
export const S_LAST_TIME = 72; //       f64: the side's latest packet (NaN: none)
export const S_MAX_GAP = 80; //         f64: largest gap between two packets the side sent (-1: none)
export const A_TIME_BASE = 88; //       f64 (side 0's tail): the caller's: what it subtracts from a packet's seconds (the engine never reads it)
export const A_MAX_GAP = 120; //        f64 (side 1's tail): largest gap between two packets of the connection (-1: none)

// Lines 2-5: each side's ack-RTT statistics then its inline ring of unacknowledged segments,
// two lines a side, RTT_STRIDE bytes apart. The statistics and the ring's first three entries
// share a line, so that an ACK matching one of those (the usual case on short exchanges: a ring
// the ACKs empty starts again at its first entry) adds no line for its RTT sample.
export const A_RTT = 128;
export const RTT_STRIDE = 128;
export const R_SAMPLES = 0; //          u32
export const R_MIN = 4; //              f64 seconds (unaligned, as a ring entry's time)
export const R_MAX = 12;
export const R_SUM = 20;
// The ring: RING_INLINE entries of RING_ENTRY bytes, the end sequence number (u32) then when it
// was sent (f64), so that an entry is on one line (three on the first, five on the second). A
// pool block holds RING_BLOCK entries of the same form.
export const A_RING = 156;
export const RING_STRIDE = 128;
export const RING_ENTRY = 12;
export const RE_END = 0;
export const RE_TIME = 4;
// Lines 6 and 7: each side's two P-square quantile estimators (p50, p95) of the ack-RTT in
// microseconds, QUANTILES_STRIDE bytes apart: five marker heights (f32) then the three inner
// marker positions (i32) each, QUANTILE_STRIDE bytes an estimator.
export const A_QUANTILES = 384;
export const QUANTILES_STRIDE = 64;
export const QUANTILE_STRIDE = 32;
export const Q_HEIGHTS = 0;
export const Q_POSITIONS = 20;
// Line 8's first half: fields read on a side's first packets, SYNs and retransmissions.
export const A_FIRST_PAYLOAD_TIME = 512; // f64 per side: the side's first payload byte (see SB_FIRST_PAYLOAD)
export const A_BASE_SEQ = 528; //           u32 per side: ISN, or first sequence number - 1 (SB_BASE_SET)
export const A_FIRST_RTT = 536; //          f64: the handshake RTT Wireshark uses (0: not known yet)
// Each side's verdict counts (u32 x COUNTS, in verdict-bit order) and retransmitted bytes (f64),
// COUNTS_STRIDE bytes apart.
export const A_COUNTS = 544;
export const COUNTS_STRIDE = 64;
export const C_RETRANSMITTED_BYTES = 56;
export const A_MRU_SYN = 672; //        f64: time of the latest pure SYN (NaN: none)
export const A_HANDSHAKE_TIME = 680; // f64: the handshake's last packet (NaN: not seen)
export const ANALYSIS_SIZE = 704; //    11 lines
