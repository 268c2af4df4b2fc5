// The one definition of the connection table's layout and of the tracker's state codes, shared
// by the WebAssembly tracker (assembly/tracker/) and the TypeScript SDK, which reads ended
// connections out of WebAssembly memory and runs the reference tracker
// (sdk/connections/tracker.ts). Like layout.ts it is compiled twice, by asc and by tsc, so it
// holds integer constants only. Bump CONNECTION_LAYOUT_VERSION on any change.

export const CONNECTION_LAYOUT_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// One connection: CONN_SIZE bytes, little-endian, 8-byte aligned. Side 0 is the endpoint that
// sent the connection's first packet; C_FLIPPED says whether the originator is side 1.
export const CONN_SIZE = 576;

// f64 fields (times are seconds on the capture clock, relative to its first packet)
export const C_ID = 0; //                   frame number (1-based) of the first packet
export const C_FIRST_SEC = 8; //            epoch seconds of the first packet (with C_FIRST_NSEC)
export const C_FIRST_TIME = 16;
export const C_LAST_TIME = 24; //           of the last accepted packet
export const C_DURATION_END = 32; //        last packet time while not both sides closed
export const C_LAST_PACKET = 40; //         packet index of the last accepted packet
export const C_ATTEMPT_DEADLINE = 48; //    0: none
export const C_CLOSE_DEADLINE = 56; //      0: none
export const C_INACTIVITY_TIMEOUT = 64;
export const C_QUEUED_DEADLINE = 72; //     the earliest deadline already in the timer queue
export const C_SYN_ACK_TIME = 80; //        first answered SYN/ACK
export const C_HANDSHAKE_ACK_TIME = 88; //  the third packet; -1 when not seen
export const C_SYN_TIME_ANSWERED = 96; //   the SYN transmission the SYN/ACK answered
export const C_SYN_ACK_TIME_ANSWERED = 104;
export const C_SYN_PACKET = 112; //         packet indices of the answered SYN, its SYN/ACK, the third packet
export const C_SYN_ACK_PACKET = 120;
export const C_ACK_PACKET = 128;
export const C_REMOVED_AT = 136; //         when it ended (Infinity: end of input)
export const C_ANOMALY_ORDER = 144; //      u64: anomaly indices + 1 in first-seen order, 4 bits each
// the key: address of side 0 (16 bytes), of side 1 (16), ports (side 0 << 16 | side 1), IP version
export const C_KEY = 152;
export const C_KEY_PORTS = 184;
export const C_KEY_VERSION = 188;
// u32 fields
export const C_FLOW_HASH = 192;
export const C_GENERATION = 196; //         bumped when the slot is freed (stale timer entries)
export const C_FIRST_NSEC = 200;
export const C_ACK_PAYLOAD = 204;
export const C_EXPECTED_SYN_SEQ = 208; //   SYN/ACK from the originator: the ack - 1 its SYN would have had
export const C_FIRST_FIN_END = 212; //      sequence number after the first FIN
export const C_ANOMALY_BITS = 216;
export const C_HISTORY_MORE = 220; //       address of letters past the inline ones (0: none)
// u16 fields
export const C_VLAN = 224;
export const C_INNER_VLAN = 226;
export const C_HANDSHAKE_FLAGS = 228; //    HS_* bits
export const C_HISTORY_LEN = 230; //        letters in the history
// u8 fields
export const C_IN_USE = 232;
export const C_FLIPPED = 233;
export const C_FIRST_FIN_SIDE = 234; //     0: no FIN yet, 1: side 0 closed first, 2: side 1
export const C_CLOSE_FLAGS = 235; //        CLOSE_* bits
export const C_FIRST_RST_SIDE = 236; //     as C_FIRST_FIN_SIDE
export const C_FIRST_CLOSE_SIDE = 237; //   side of the first FIN or RST
export const C_REMOVED_BY = 238; //         REMOVED_*
export const C_ANOMALY_COUNTS = 240; //     u32 per anomaly index
export const C_HISTORY = 288; //            the first HISTORY_INLINE letters (ASCII)
export const HISTORY_INLINE = 32;
// the letters past HISTORY_INLINE live in a block: u32 length, u32 capacity, then the letters
export const C_ENDPOINTS = 320; //          side 0, then side 1

// One endpoint: ENDPOINT_SIZE bytes at C_ENDPOINTS + side * ENDPOINT_SIZE.
export const ENDPOINT_SIZE = 128;
export const E_PKTS = 0; //                 f64
export const E_IP_BYTES = 8; //             f64
export const E_PAYLOAD_BYTES = 16; //       f64
export const E_LAST_SYN_TIME = 24; //       f64: latest SYN or SYN/ACK transmission
export const E_LAST_SYN_SEQ = 32; //        u32 fields
export const E_LAST_FIN_POS = 36;
export const E_LAST_RST_SEQ = 40;
export const E_TOP_SEQ = 44; //             highest sequence number reached (payload end)
export const E_START_SEQ = 48; //           first payload sequence number (after the SYN)
export const E_ISN = 52; //                 sequence number of the first SYN / SYN-ACK
export const E_NEXT_SEQ = 56; //            content gaps: next in-order byte of the stream
export const E_PENDING_START = 60; //       ... and one out-of-order block above a hole
export const E_PENDING_END = 64;
export const E_SYNS = 68; //                pure SYNs sent
export const E_SYN_ACKS = 72;
export const E_FINS = 76;
export const E_RSTS = 80;
export const E_RETRANSMITS = 84;
export const E_ZERO_WINDOWS = 88;
export const E_BAD_CHECKSUMS = 92;
export const E_GAPS = 96;
export const E_SYN_PAYLOAD = 100; //        payload carried on the SYN / SYN-ACK (TFO data)
export const E_MSS = 104; //                u16 fields
export const E_OPTION_BITS = 106; //        layout OPT_* of the SYN / SYN-ACK
export const E_TFO_COOKIE_LEN = 108; //     i16; -1: no TFO option
export const E_STATE = 110; //              u8 fields: endpoint state (below)
export const E_ONCE = 111; //               ONCE_* letters recorded once per direction
export const E_SEEN = 112; //               SEEN_* validity bits
export const E_WINDOW_SCALE = 113; //       0xff: not offered
export const E_ECN_BITS = 114; //           ECE, CWR, AE on the SYN / SYN-ACK (TCP flags >> 6)
export const E_REASM = 115; //              REASM_* bits

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
export const REASM_PENDING = 2; //     an out-of-order block is held
export const REASM_ESTABLISHED = 4; // the endpoint has been ESTABLISHED ("clean" for gap reports)
// handshake flags (per connection)
export const HS_SYN_ACK_ANSWERED = 1; // a SYN/ACK acknowledged the originator's SYN (ack = ISN + 1)
export const HS_SYN_ACK_MISMATCH = 2; // a SYN/ACK whose ack did not match the SYN
export const HS_ACK_SEEN = 4; //         the originator's third packet was seen
export const HS_ACK_MISMATCH = 8; //     ... but did not acknowledge the SYN/ACK
export const HS_SIMULTANEOUS = 16;
export const HS_EXPECT_SYN = 32; //      expectedSynSeq is set
export const HS_RST_BEFORE_ACK = 64; //  a RST came after the SYN/ACK, before the third packet
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
export const ANOMALY_COUNT = 12;
