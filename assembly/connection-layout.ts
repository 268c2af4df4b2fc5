// The one definition of the connection table's layout and of the tracker's state codes, shared
// by the WebAssembly tracker (assembly/tracker/) and the TypeScript SDK, which reads ended
// connections out of WebAssembly memory and runs the reference tracker
// (sdk/connections/tracker.ts). Like layout.ts it is compiled twice, by asc and by tsc, so it
// holds integer constants only. Bump CONNECTION_LAYOUT_VERSION on any change.

export const CONNECTION_LAYOUT_VERSION = 8;

// ---------------------------------------------------------------------------------------------
// One connection: CONN_SIZE bytes, little-endian, 8-byte aligned. Side 0 is the endpoint that
// sent the connection's first packet; C_FLIPPED says whether the originator is side 1.
// What an ordinary packet touches is packed into four cache lines — the key and flags, the
// times, and one line per endpoint — and the rest (handshake details, counters of rare
// packets, the history letters) lies behind them. Rare state (more than one out-of-order block
// of a stream) lives in an extension block, allocated when first needed (C_EXTENSION). The TCP
// analysis engine's state block (analysis-layout.ts, ANALYSIS_SIZE bytes) follows at
// C_ANALYSIS, so that an ended connection carries its analysis results with it; the tunnel
// block (C_TUNNEL, below) follows that. CONN_SIZE is a multiple of 64 and the table starts
// records on 64-byte boundaries, so its lines are lines.
export const C_ANALYSIS = 640;
export const C_TUNNEL = 1344; //            C_ANALYSIS + ANALYSIS_SIZE (a test holds them equal)
export const CONN_SIZE = 1408; //           C_TUNNEL + TUNNEL_BLOCK_SIZE

// Line 0: the key — address of side 0 (16 bytes), of side 1 (16), ports (side 0 << 16 | side 1),
// IP version — then u32, u16 and u8 fields.
export const C_KEY = 0;
export const C_KEY_PORTS = 32;
export const C_KEY_VERSION = 36;
export const C_FLOW_HASH = 40;
export const C_HANDSHAKE_FLAGS = 44; //     u16: HS_* bits
export const C_HISTORY_LEN = 46; //         u16: letters in the history
// A history keeps its first HISTORY_MAX_LETTERS letters (its length is a u16); later ones are
// dropped, by both trackers alike.
export const HISTORY_MAX_LETTERS = 0xffff;
export const C_FLIPPED = 48; //             u8 fields
export const C_IN_USE = 49;
export const C_FIRST_FIN_SIDE = 50; //      0: no FIN yet, 1: side 0 closed first, 2: side 1
export const C_CLOSE_FLAGS = 51; //         CLOSE_* bits
export const C_FIRST_RST_SIDE = 52; //      as C_FIRST_FIN_SIDE
export const C_FIRST_CLOSE_SIDE = 53; //    side of the first FIN or RST
export const C_REMOVED_BY = 54; //          REMOVED_*
export const C_EVICTION_QUEUED = 55; //     1 once in an eviction heap (eviction.ts)
export const C_ANOMALY_BITS = 56; //        u32
export const C_GENERATION = 60; //          u32: bumped when the slot is freed (stale timer entries)
// Line 1: f64 times (seconds on the capture clock, relative to its first packet).
export const C_LAST_TIME = 64; //           of the last accepted packet
export const C_DURATION_END = 72; //        last packet time while not both sides closed
export const C_LAST_PACKET = 80; //         packet index of the last accepted packet
export const C_INACTIVITY_TIMEOUT = 88;
export const C_CLOSE_DEADLINE = 96; //      0: none
export const C_ATTEMPT_DEADLINE = 104; //   0: none
export const C_QUEUED_DEADLINE = 112; //    the earliest deadline already in the timer queue
export const C_FIRST_TIME = 120;
// Lines 2 and 3: the endpoints' hot fields (E_* below), side 0 then side 1.
export const C_ENDPOINTS = 128;
export const ENDPOINT_STRIDE = 64;
// Cold fields.
// f64: frame number (1-based) of the first packet, with its record's subframe fraction
// (layout.ts, REC_PACKET_INDEX): the connection's key in the canonical order; its id is the whole part.
export const C_ID = 256;
export const C_FIRST_SEC = 264; //          f64: epoch seconds of the first packet (with C_FIRST_NSEC)
export const C_SYN_ACK_TIME = 272; //       f64: first answered SYN/ACK
export const C_HANDSHAKE_ACK_TIME = 280; // f64: the third packet; -1 when not seen
export const C_SYN_TIME_ANSWERED = 288; //  f64: the SYN transmission the SYN/ACK answered
export const C_SYN_ACK_TIME_ANSWERED = 296;
export const C_SYN_PACKET = 304; //         f64 packet indices of the answered SYN, its SYN/ACK, the third packet
export const C_SYN_ACK_PACKET = 312;
export const C_ACK_PACKET = 320;
export const C_REMOVED_AT = 328; //         f64: when it ended (Infinity: end of input)
export const C_ANOMALY_ORDER = 336; //      u64: anomaly indices + 1 in first-seen order, 4 bits each
export const C_FIRST_NSEC = 344; //         u32 fields
export const C_ACK_PAYLOAD = 348;
export const C_EXPECTED_SYN_SEQ = 352; //   SYN/ACK from the originator: the ack - 1 its SYN would have had
export const C_FIRST_FIN_END = 356; //      sequence number after the first FIN
export const C_HISTORY_MORE = 360; //       address of letters past the inline ones (0: none)
export const C_VLAN = 364; //               u16 fields
export const C_INNER_VLAN = 366;
export const C_ANOMALY_COUNTS = 368; //     u32 per anomaly index
export const C_HISTORY = 416; //            the first HISTORY_INLINE letters (ASCII)
export const HISTORY_INLINE = 32;
// the letters past HISTORY_INLINE live in a block: u32 length, u32 capacity, then the letters
// (lines 7 and 8: the endpoints' cold fields, ENDPOINT_COLD below)
// Line 9: the SYN/ACKs that answered the SYN, by ISN: the first one (its first transmission's
// time and packet are C_SYN_ACK_TIME and C_SYN_ACK_PACKET, the SYN it answered
// C_SYN_TIME_ANSWERED) and the latest with another ISN; the third packet is judged against both.
export const C_SYN_ACK_ISN = 576; //        u32
export const C_EXTENSION = 580; //          u32: address of the extension block (0: none)
export const C_SYN_ACK2_ISN = 584; //       u32
export const C_SYN_ACK_SENT = 588; //       u32: what the responder sent under the first ISN: the sequence number after it
export const C_SYN_ACK_LAST_TIME = 592; //  f64: latest transmission of the first SYN/ACK
export const C_SYN_ACK2_TIME = 600; //      f64 fields of the second, as those of the first
export const C_SYN_ACK2_LAST_TIME = 608;
export const C_SYN_ACK2_PACKET = 616;
export const C_SYN_ACK2_SYN_TIME = 624;
export const C_SYN_ACK2_SENT = 632; //      u32

// The tunnel block: what carried the connection (layout.ts, "Tunnel chain"), as Zeek follows
// it (its conn record's tunnel field, tunnel_changed events and conn.log tunnel_parents). Read
// per packet only when the packet or the connection is tunnelled (E_TUNNELLED says the latter).
export const C_TUNNEL_KEY = C_TUNNEL + 0; //      u32: chain identity in the connection's key (keyByTunnel), else 0
export const C_TUNNEL_FIRST = C_TUNNEL + 4; //    u32: chain identity of the first packet (0: not tunnelled)
export const C_TUNNEL_CURRENT = C_TUNNEL + 8; //  u32: chain identity of the latest packet
export const C_TUNNEL_TYPES = C_TUNNEL + 12; //   u16: the first packet's REC_TUNNEL_TYPES
export const C_TUNNEL_DEPTH = C_TUNNEL + 14; //   u8: the first packet's REC_TUNNEL_DEPTH
export const C_TUNNEL_CHANGES = C_TUNNEL + 15; // u8: tunnel changes counted (at most TUNNEL_MAX_CHANGES)
export const C_TUNNEL_PARENT_COUNT = C_TUNNEL + 16; // u8: identities in C_TUNNEL_PARENTS
export const C_TUNNEL_FLAGS = C_TUNNEL + 17; //   u8: TUNNEL_X_LOGGED
export const C_TUNNEL_PARENTS = C_TUNNEL + 20; // u32 x TUNNEL_MAX_PARENTS: distinct chains, in order seen
// The first packet's chain in full (its tunnel record's levels: layout.ts, "Tunnel chain"), in a
// block of its own as the history's C_HISTORY_MORE: u32 byte length, 4 bytes unused, then the
// levels. It moves with the connection into the ended buffer and is freed with it.
export const C_TUNNEL_CHAIN = C_TUNNEL + 44; //    u32: address of the chain block (0: none)
export const TUNNEL_BLOCK_SIZE = 64; // 16 bytes spare: records stay on 64-byte lines
// Zeek's Tunnel::max_changes_per_connection: tunnel_changed events per connection; a change
// past it logs history 'X' once. Each event adds its chain to tunnel_parents, so a connection
// has at most TUNNEL_MAX_CHANGES + 1 parents (changes back to no tunnel add none).
export const TUNNEL_MAX_CHANGES = 5;
export const TUNNEL_MAX_PARENTS = TUNNEL_MAX_CHANGES + 1;
export const TUNNEL_X_LOGGED = 1;

// The extension block: per side, EXT_BLOCKS out-of-order blocks above the stream's next
// in-order byte (u32 start, u32 end), sorted, separated by holes.
export const EXT_BLOCKS = 8;
export const EXT_SIDE_STRIDE = EXT_BLOCKS * 8;
export const EXT_SIZE = 2 * EXT_SIDE_STRIDE;

// An endpoint's fields, at offsets from its hot line (C_ENDPOINTS + side * ENDPOINT_STRIDE);
// its cold line lies ENDPOINT_COLD bytes further on.
export const ENDPOINT_COLD = 320;
export const E_STATE = 0; //                u8: endpoint state (below)
export const E_ONCE = 1; //                 u8: ONCE_* letters recorded once per direction
export const E_SEEN = 2; //                 u8: SEEN_* validity bits
export const E_REASM = 3; //                u8: REASM_* bits
export const E_LAST_SYN_SEQ = 4; //         u32 fields
export const E_LAST_FIN_POS = 8;
export const E_LAST_RST_SEQ = 12;
export const E_TOP_SEQ = 16; //             highest sequence number reached (payload end)
export const E_START_SEQ = 20; //           first payload sequence number (after the SYN)
export const E_ISN = 24; //                 sequence number of the first SYN / SYN-ACK
export const E_NEXT_SEQ = 28; //            content gaps: next in-order byte of the stream
export const E_TOP_WRAPS = 32; //           u32: times E_TOP_SEQ passed 2^32 since E_START_SEQ
export const E_BLOCKS = 36; //              u8: out-of-order blocks held (extension block)
export const E_TUNNELLED = 37; //           u8: 1 while the connection's latest packet was tunnelled (both sides alike)
export const E_PKTS = 40; //                f64
export const E_IP_BYTES = 48; //            f64
export const E_PAYLOAD_BYTES = 56; //       f64
export const E_LAST_SYN_TIME = ENDPOINT_COLD + 0; // f64: latest SYN or SYN/ACK transmission
export const E_SYNS = ENDPOINT_COLD + 8; //          u32: pure SYNs sent
export const E_SYN_ACKS = ENDPOINT_COLD + 12;
export const E_FINS = ENDPOINT_COLD + 16;
export const E_RSTS = ENDPOINT_COLD + 20;
export const E_RETRANSMITS = ENDPOINT_COLD + 24;
export const E_ZERO_WINDOWS = ENDPOINT_COLD + 28;
export const E_BAD_CHECKSUMS = ENDPOINT_COLD + 32;
export const E_GAPS = ENDPOINT_COLD + 36;
export const E_SYN_PAYLOAD = ENDPOINT_COLD + 40; //  payload carried on the SYN / SYN-ACK (TFO data)
export const E_MSS = ENDPOINT_COLD + 44; //          u16
export const E_OPTION_BITS = ENDPOINT_COLD + 46; //  u16: layout OPT_* of the SYN / SYN-ACK
export const E_TFO_COOKIE_LEN = ENDPOINT_COLD + 48; // i16; -1: no TFO option
export const E_WINDOW_SCALE = ENDPOINT_COLD + 50; // u8; 0xff: not offered
export const E_ECN_BITS = ENDPOINT_COLD + 51; //     u8: ECE, CWR, AE on the SYN / SYN-ACK (TCP flags >> 6)
export const E_MISSED_BYTES = ENDPOINT_COLD + 56; // f64: bytes of the stream acknowledged but never seen

// ---------------------------------------------------------------------------------------------
// Endpoint states as Zeek tracks them (shared/notes/zeek-conn-semantics.md, section 3).
export const INACTIVE = 0; //     nothing seen from this endpoint yet
export const SYN_SENT = 1; //     sent a pure SYN
export const SYN_ACK_SENT = 2; // sent a SYN/ACK as originator (the SYN was not seen)
export const PARTIAL = 3; //      first seen mid-stream
export const ESTABLISHED = 4; //  handshake completed (on the SYN/ACK), or recovered mid-stream
export const CLOSED = 5; //       sent a FIN
export const RESET = 6; //        sent a RST

// once bits
export const ONCE_A = 1;
export const ONCE_D = 2;
export const ONCE_I = 4;
export const ONCE_Q = 8;
// seen bits
export const SEEN_SYN = 1;
export const SEEN_FIN = 2;
export const SEEN_RST = 4;
export const SEEN_TOP = 8;
export const SEEN_START = 16;
export const SEEN_CLOSED_BEFORE_RESET = 32;
export const SEEN_ISN = 64;
// reassembly bits (per endpoint)
export const REASM_NEXT = 1; //        nextSeq is known
export const REASM_PENDING = 2; //     out-of-order blocks are held (E_BLOCKS)
export const REASM_ESTABLISHED = 4; // the endpoint has been ESTABLISHED ("clean" for gap reports)
export const REASM_INEXACT = 8; //     more holes were open at once than blocks kept: missed bytes not exact
// handshake flags (per connection)
export const HS_SYN_ACK_ANSWERED = 1; // a SYN/ACK acknowledged the originator's SYN (ack = ISN + 1, or past its data)
export const HS_SYN_ACK_MISMATCH = 2; // a SYN/ACK whose ack did not match the SYN
export const HS_ACK_SEEN = 4; //         the originator's third packet was seen
export const HS_ACK_MISMATCH = 8; //     ... but did not acknowledge the SYN/ACK
export const HS_SIMULTANEOUS = 16;
export const HS_EXPECT_SYN = 32; //      expectedSynSeq is set
export const HS_RST_BEFORE_ACK = 64; //  a RST came after the SYN/ACK, before the third packet
export const HS_PEER_ACKED_DATA = 128; // the responder acknowledged the originator's data before its third packet was seen
export const HS_SYN_ACK2 = 256; //      a second SYN/ACK ISN answered the SYN (C_SYN_ACK2_*)
export const HS_SYN_ACKED_UNSEEN = 512; // no SYN/ACK captured, but the responder acknowledged the SYN
export const HS_ORIG_ACKED_UNSEEN = 1024; // the originator sent an ACK with no SYN/ACK captured (its third packet)
// close flags (per connection)
export const CLOSE_PEER_ACKED_FIN = 1; // the second closer acknowledged the first FIN before its own FIN
export const CLOSE_SECOND_FIN_ACKS_FIRST = 2; // the second FIN acknowledged the first FIN
export const CLOSE_SECOND_FIN = 4;
export const CLOSE_FIN_BEFORE_RST = 8; // a FIN was seen before the first RST
// why a connection was removed
export const REMOVED_END = 0; //        end of input
export const REMOVED_ATTEMPT = 1; //    unanswered-SYN timer
export const REMOVED_CLOSE = 2; //      closed or reset, linger elapsed
export const REMOVED_INACTIVITY = 3;
export const REMOVED_REUSE = 4; //      a new connection took its endpoints
export const REMOVED_IDLE_EMPTY = 5; // nothing was ever accepted on it
export const REMOVED_EVICTED = 6; //    a half-open connection ended early: more were open than the limit

// Anomaly indices (names and descriptions: sdk/connections/anomalies.ts, in this order).
export const ANOMALY_SYN_WITH_DATA = 0;
export const ANOMALY_SYN_RETRANSMIT_DIFFERENT_ISN = 1;
export const ANOMALY_SYN_ACK_WRONG_ACK = 2;
export const ANOMALY_HANDSHAKE_ACK_WRONG_ACK = 3;
export const ANOMALY_ACK_WITHOUT_SYN_ACK = 4;
export const ANOMALY_BAD_CHECKSUM = 5;
export const ANOMALY_ZERO_WINDOW = 6;
export const ANOMALY_DATA_AFTER_FIN = 7;
export const ANOMALY_FIN_RETRANSMIT = 8;
export const ANOMALY_MID_STREAM_START = 9;
export const ANOMALY_ONE_SIDED = 10;
export const ANOMALY_SNAPLEN_TRUNCATED = 11;
