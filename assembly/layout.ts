// The one definition of everything the WebAssembly decoder and the TypeScript SDK exchange:
// the per-packet record layout, the capture-statistics slots, the status, error, warning and
// metadata codes. This file is compiled twice — by AssemblyScript into the .wasm and by tsc
// into the SDK — so it holds nothing but integer constants (valid in both languages, i32 in
// AssemblyScript). Change a field here and bump LAYOUT_VERSION; the SDK refuses a .wasm whose
// compiled-in version differs from its own.

export const LAYOUT_VERSION = 6;

// ---------------------------------------------------------------------------------------------
// Per-packet record: one per TCP packet, RECORD_SIZE bytes, little-endian, 8-byte aligned so
// that Float64Array / Uint32Array / Uint16Array views index it directly (offset / width).
// Fields past the layer where decoding stopped (REC_STOP_LAYER) are zero.
export const RECORD_SIZE = 128;

// f64 fields
export const REC_TS_SEC = 0; //          whole seconds since the epoch (interface offset applied)
// bytes 8-15: what carried the packet (the byte offset of its frame in the input lives beside
// the records, in the output slot's file-offset array: see FILE_OFFSET_SIZE)
export const REC_TUNNEL_HASH = 8; //     u32 identity of the tunnel chain, 0 when not tunnelled (below)
export const REC_TUNNEL_TYPES = 12; //   u16 TUNNEL_* of each level, 4 bits each, outermost in bits 0-3
export const REC_TUNNEL_DEPTH = 14; //   u8 tunnel levels decapsulated (0..MAX_TUNNEL_DEPTH)
export const REC_FRAGMENTS = 15; //      u8 IP fragments that arrived for this packet's datagram (FRAGMENTS_*)
export const REC_PACKET_INDEX = 16; //   0-based index among all packets of the capture (below)
// A frame that made several records (an 802.11 A-MSDU's TCP subframes, wire/amsdu.ts) gives its
// k-th record (0-based) REC_PACKET_INDEX + (k + 1) / SUBFRAME_STEPS: the frame is the whole
// part (what every packet number is), the fraction tells connections that began in one frame
// apart (their ids are that frame's number; the canonical order needs a key of its own each).
export const SUBFRAME_STEPS = 1024;
// u32 fields
export const REC_TS_NSEC = 24; //        nanoseconds within the second, 0..999999999
export const REC_FLOW_HASH = 28; //      symmetric seeded hash of (addresses, ports): same both ways
export const REC_SEQ = 32;
export const REC_ACK = 36;
export const REC_SRC_ADDR = 40; //       16 bytes in network order; IPv4 uses the first 4
export const REC_DST_ADDR = 56; //       16 bytes, as above
export const REC_TSVAL = 72; //          TCP timestamp option value (REC_OPTIONS has OPT_TIMESTAMPS)
export const REC_TSECR = 76; //          TCP timestamp echo reply
export const REC_PAYLOAD_LEN = 80; //    TCP payload bytes, from the IP length (not the captured size)
export const REC_IP_LEN = 84; //         IP bytes (IP header + extension headers + TCP), from IP header
export const REC_CAP_LEN = 88; //        captured bytes of the frame
export const REC_ORIG_LEN = 92; //       bytes of the frame on the wire
// u16 fields
export const REC_SRC_PORT = 96;
export const REC_DST_PORT = 98;
export const REC_WINDOW = 100; //        raw window field (unscaled)
export const REC_URGENT = 102;
export const REC_TCP_FLAGS = 104; //     the nine flag bits, FLAG_* below
export const REC_MSS = 106; //           MSS option value (REC_OPTIONS has OPT_MSS)
export const REC_OPTIONS = 108; //       OPT_* bitset of the TCP options present
export const REC_VLAN = 110; //          outermost 802.1Q/802.1ad VLAN id, NO_VLAN when untagged
export const REC_INNER_VLAN = 112; //    second VLAN id, NO_VLAN when fewer than two tags
export const REC_INTERFACE = 114; //     pcapng interface id (0 for pcap)
// u8 fields
export const REC_IP_VERSION = 116; //    4 or 6
export const REC_TCP_HEADER_LEN = 117; // TCP header bytes (data offset * 4), 0 when not captured
export const REC_WSCALE = 118; //        window-scale shift (REC_OPTIONS has OPT_WSCALE)
export const REC_SACK_BLOCKS = 119; //   number of SACK blocks in the option
export const REC_TFO_COOKIE_LEN = 120; // TCP Fast Open cookie bytes (0 with OPT_TFO = cookie request)
export const REC_STOP_LAYER = 121; //    LAYER_* where decoding stopped, LAYER_NONE when complete
export const REC_STOP_REASON = 122; //   STOP_* why it stopped
export const REC_IP_TOS = 123; //        IPv4 TOS / IPv6 traffic class (ECN in the low 2 bits)
export const REC_PACKET_FLAGS = 124; //  PKT_* bitset
export const REC_TTL = 125; //           IPv4 TTL / IPv6 hop limit
export const REC_LINK_TYPE = 126; //     u16 link type of the interface the packet came from

export const NO_VLAN = 0xffff;

// TCP flag bits as they sit in the low 9 bits of header bytes 12-13.
export const FLAG_FIN = 0x001;
export const FLAG_SYN = 0x002;
export const FLAG_RST = 0x004;
export const FLAG_PSH = 0x008;
export const FLAG_ACK = 0x010;
export const FLAG_URG = 0x020;
export const FLAG_ECE = 0x040;
export const FLAG_CWR = 0x080;
export const FLAG_AE = 0x100; // formerly NS; AccECN uses it

// REC_OPTIONS bits.
export const OPT_MSS = 0x0001;
export const OPT_WSCALE = 0x0002;
export const OPT_SACK_PERMITTED = 0x0004;
export const OPT_SACK = 0x0008;
export const OPT_TIMESTAMPS = 0x0010;
export const OPT_TFO = 0x0020; //           kind 34, or kind 254 with magic 0xF989
export const OPT_MPTCP = 0x0040; //         kind 30
export const OPT_MALFORMED = 0x0080; //     an option whose length is impossible; parsing stopped there
export const OPT_OTHER = 0x0100; //         any other kind
export const OPT_TFO_EXPERIMENTAL = 0x0200; // the TFO option used the experimental kind 254 form

// REC_PACKET_FLAGS bits.
export const PKT_REASSEMBLED = 0x01; //     the IP datagram was reassembled from fragments (REC_FRAGMENTS)
export const PKT_CHECKSUM_GOOD = 0x02; //   checksums verified and correct
export const PKT_CHECKSUM_BAD = 0x04; //    IPv4 header or TCP checksum wrong
export const PKT_CHECKSUM_UNVERIFIABLE = 0x08; // verification on, but the segment was not all captured
export const PKT_IP_LEN_FROM_CAPTURE = 0x10; // IP length field was 0 (TSO / BIG TCP): captured size used
export const PKT_SNAPLEN_TRUNCATED = 0x20; // captured length < original length (of this frame or of a fragment)
export const PKT_IP_CHECKSUM_BAD = 0x40; //  the IPv4 header checksum is wrong (with PKT_CHECKSUM_BAD)
export const PKT_PAYLOAD_TRUNCATED = 0x80; // the TCP segment was not captured to its end

// REC_STOP_LAYER values.
export const LAYER_NONE = 0;
export const LAYER_LINK = 1;
export const LAYER_IP = 2;
export const LAYER_TCP = 3;
export const LAYER_TCP_OPTIONS = 4;

// REC_STOP_REASON values.
export const STOP_NONE = 0;
export const STOP_TRUNCATED = 1; //    the capture ends inside this layer (snaplen)
export const STOP_INVALID = 2; //      the bytes of this layer are impossible (e.g. data offset < 5)

// REC_FRAGMENTS: how many fragments arrived for the datagram, repeated ones included
// (saturating; 0: not fragmented), and whether any of them overlapped or repeated data already
// held (the first-seen bytes were kept).
export const FRAGMENTS_COUNT_MASK = 0x7f;
export const FRAGMENTS_OVERLAP = 0x80;

// ---------------------------------------------------------------------------------------------
// Tunnel chain. A tunnelled packet's record holds the chain's identity (REC_TUNNEL_HASH), the
// type of every level (REC_TUNNEL_TYPES) and its depth; each level in full (outer addresses and
// ports, VNI / key / TEID / ERSPAN session) is in the packet's tunnel record, beside the records
// in the output slot's tunnel array: TUNNEL_RECORD_SIZE bytes per record, at the same index.
// A tunnel record is only meaningful for the levels REC_TUNNEL_DEPTH says there are.
//
// REC_TUNNEL_HASH is seeded like the flow hash and is the same in both directions of a tunnel:
// per level it covers the type, the outer endpoints as an unordered pair, and the segment id
// where the protocol makes it the same both ways (VXLAN and Geneve VNI, GRE key of version 0,
// ERSPAN session). Of the endpoints, as in Zeek's tunnel identity: for IP and GRE tunnels the
// two addresses; for VXLAN, Geneve and MPLS in UDP the addresses and the tunnel's UDP port (their
// source port is a hash of the inner flow, different each way); for GTP-U, Teredo and AYIYA the
// outer UDP flow (addresses and both ports). GTP-U TEIDs and PPTP call ids differ per direction
// and are not in it (they are in the tunnel record). Never 0 for a tunnelled packet.
export const TUNNEL_NONE = 0;
export const TUNNEL_IP = 1; //       IP in IP: 4in4, 6in4 (protocol 41), 4in6, 6in6
export const TUNNEL_GRE = 2; //      GRE version 0: IPv4, IPv6, Ethernet (0x6558), MPLS payloads
export const TUNNEL_ERSPAN = 3; //   ERSPAN type I, II, III (over GRE)
export const TUNNEL_PPTP = 4; //     GRE version 1 (enhanced GRE) carrying PPP
export const TUNNEL_VXLAN = 5; //    UDP 4789
export const TUNNEL_GENEVE = 6; //   UDP 6081
export const TUNNEL_GTPU = 7; //     UDP 2152 (GTP-U G-PDU)
export const TUNNEL_TEREDO = 8; //   UDP 3544, or any port where the payload is recognised
export const TUNNEL_AYIYA = 9; //    UDP 5072, or any port where the header is recognised
export const TUNNEL_MPLS_UDP = 10; // MPLS in UDP (RFC 7510), UDP 6635
export const TUNNEL_TYPE_COUNT = 10;
export const MAX_TUNNEL_DEPTH = 3; //  levels a tunnel record can hold (the option's ceiling)
export const DEFAULT_TUNNEL_DEPTH = 2; // Zeek's Tunnel::max_depth

// One level of a tunnel record, TUNNEL_LEVEL_SIZE bytes, outermost level first.
export const TUNNEL_LEVEL_SIZE = 48;
export const TUNNEL_RECORD_SIZE = TUNNEL_LEVEL_SIZE * MAX_TUNNEL_DEPTH;
export const TUN_TYPE = 0; //        u8 TUNNEL_*
export const TUN_IP_VERSION = 1; //  u8 version of the outer IP header (4 or 6)
export const TUN_FLAGS = 2; //       u8 TUNF_*
export const TUN_VERSION = 3; //     u8 ERSPAN type (1, 2, 3), GRE version, GTP version
export const TUN_ID = 4; //          u32 VNI, GRE key, TEID or ERSPAN session id (TUNF_ID)
export const TUN_SRC_PORT = 8; //    u16 outer UDP ports (0 for IP, GRE)
export const TUN_DST_PORT = 10;
export const TUN_VLAN = 12; //       u16 outermost VLAN id of the frame around this level, NO_VLAN
export const TUN_SRC_ADDR = 16; //   16 bytes, outer IP source (IPv4 in the first 4)
export const TUN_DST_ADDR = 32; //   16 bytes, outer IP destination

export const TUNF_ID = 0x01; //       TUN_ID holds an id
export const TUNF_ETHERNET = 0x02; // the level carries Ethernet frames (VXLAN, Geneve, GRE 0x6558, ERSPAN)
export const TUNF_MPLS = 0x04; //     the level carries MPLS (GRE 0x8847, MPLS in UDP)
export const TUNF_SEQUENCE = 0x08; // GRE sequence number present
export const TUNF_CHECKSUM = 0x10; // GRE checksum present (skipped, not verified)
export const TUNF_AUTH = 0x20; //     Teredo authentication indication present
export const TUNF_ORIGIN = 0x40; //   Teredo origin indication present

// Per output slot, beside its records: each record's file offset (f64).
export const FILE_OFFSET_SIZE = 8;

// ---------------------------------------------------------------------------------------------
// Capture statistics: f64 counters, STAT_COUNT slots.
export const STAT_PACKETS = 0;
// Every frame is counted once by what its innermost decoded layer was (STAT_TCP ..
// STAT_LINK_INVALID), an 802.11 A-MSDU once per subframe; the other slots count events beside that.
export const STAT_TCP = 1; //              TCP packets with a record (a reassembled datagram is one)
export const STAT_TCP_UNREADABLE = 2; //   TCP packets whose header was cut before the flags: no record
export const STAT_UDP = 3;
export const STAT_ICMP = 4; //             ICMP and ICMPv6
export const STAT_OTHER_IP = 5;
export const STAT_NON_IP = 6;
export const STAT_FRAGMENTS = 7; //        IP fragments held for reassembly (all but the one completing it)
export const STAT_TRUNCATED = 8; //        captured length < original length
export const STAT_UNSUPPORTED_LINK = 9; // packets on a link type the decoder does not read
export const STAT_TUNNELLED = 10; //       tunnelled, not decoded further: past the depth limit, or an
//                                          encapsulation not decapsulated (STAT_TUNNEL_TOO_DEEP, ..._UNSUPPORTED, STAT_IPCOMP_UNSUPPORTED)
export const STAT_IP_UNREADABLE = 11; //   IP header impossible, or cut before the transport is known
export const STAT_LINK_INVALID = 12; //    link header cut or impossible
export const STAT_BYTES_CAPTURED = 13; //  sum of captured lengths
export const STAT_BYTES_ORIGINAL = 14; //  sum of original lengths
export const STAT_FIRST_TS_SEC = 15; //    first packet's timestamp (NaN before any packet)
export const STAT_FIRST_TS_NSEC = 16;
export const STAT_LAST_TS_SEC = 17; //     latest packet's timestamp
export const STAT_LAST_TS_NSEC = 18;
export const STAT_BAD_CHECKSUM = 19;
// IP reassembly (assembly/reassembly/): datagrams, and the fragments that were not trusted.
export const STAT_REASSEMBLED = 20; //     datagrams reassembled from fragments
export const STAT_FRAG_OVERLAP = 21; //    fragments overlapping data already held (first-seen kept)
export const STAT_FRAG_DUPLICATE = 22; //  fragments repeating data already held, byte for byte
export const STAT_FRAG_OVERSIZE = 23; //   datagrams whose fragments reach past 65 535 bytes (dropped)
export const STAT_FRAG_INVALID = 24; //    fragments that cannot belong to one datagram (dropped, see fragments.ts)
export const STAT_FRAG_TIMED_OUT = 25; //  datagrams dropped incomplete: no completion within the timeout
export const STAT_FRAG_EVICTED = 26; //    datagrams dropped incomplete to make room (oldest first)
export const STAT_FRAG_UNFINISHED = 27; // datagrams still incomplete at the end of the input
export const STAT_FRAG_CUT = 28; //        reassembled datagrams with a snaplen-cut fragment
// Tunnels (assembly/tunnel/).
export const STAT_TUNNEL_TOO_DEEP = 29; // a tunnel below the depth limit: not decapsulated
export const STAT_TUNNEL_UNSUPPORTED = 30; // GRE with routing, unknown version or payload type
export const STAT_IPCOMP = 31; //          IPComp payloads decompressed (deflate)
export const STAT_IPCOMP_UNSUPPORTED = 32; // IPComp payloads not decompressed (other algorithm, bad stream)
// Packets that entered a tunnel of type T at level L (0 = outermost):
// STAT_TUNNEL_BASE + (T - 1) * MAX_TUNNEL_DEPTH + L.
export const STAT_TUNNEL_BASE = 33;
// 802.11 A-MSDUs (Aruba's GRE): subframes decoded past each frame's first, and subframes left
// undecoded past the room an output slot keeps for them (memory.ts, AMSDU_EXTRA_RECORDS).
export const STAT_AMSDU_SUBFRAMES = STAT_TUNNEL_BASE + TUNNEL_TYPE_COUNT * MAX_TUNNEL_DEPTH;
export const STAT_AMSDU_DROPPED = STAT_AMSDU_SUBFRAMES + 1;
// The earliest packet's timestamp (valid once STAT_FIRST_TS_SEC is): a capture is not always in
// time order (merged interfaces, a clock stepped back); capinfos's first packet time is this one.
export const STAT_EARLIEST_TS_SEC = STAT_AMSDU_DROPPED + 1;
export const STAT_EARLIEST_TS_NSEC = STAT_AMSDU_DROPPED + 2;
// IP headers whose total length (IPv6: payload length + 40) reaches past the frame's original
// length on the wire, at any tunnel level: dropped, as Zeek drops them (weird truncated_IP_len),
// and counted as unreadable IP too. A frame the snaplen cut is judged by its original length.
export const STAT_IP_LEN_PAST_WIRE = STAT_AMSDU_DROPPED + 3;
// pcapng blocks that are no packet but a frame in Wireshark's numbering (a systemd journal entry,
// a custom block, a Sysdig event): frame numbers count them, STAT_PACKETS (capinfos's) does not.
export const STAT_NON_PACKET_FRAMES = STAT_AMSDU_DROPPED + 4;
export const STAT_COUNT = STAT_AMSDU_DROPPED + 5;

// ---------------------------------------------------------------------------------------------
// decode() status after each call.
export const STATUS_NEED_MORE = 0; //   all complete records consumed; give more bytes (or eof)
export const STATUS_OUTPUT_FULL = 1; // record or metadata buffer full; drain and call again
export const STATUS_DONE = 2; //        eof reached cleanly
export const STATUS_ERROR = 3; //       fatal input error: see ERR_*; nothing more is decoded

// Fatal errors: the input cannot be read past this point.
export const ERR_NONE = 0;
export const ERR_EMPTY = 1; //                    no bytes at all
export const ERR_BAD_MAGIC = 2; //                not a pcap/pcapng magic (value: the 4 bytes)
export const ERR_TRUNCATED_FILE_HEADER = 3; //    pcap global header or first SHB cut short
export const ERR_UNSUPPORTED_VERSION = 4; //      value: major << 16 | minor
export const ERR_TRUNCATED_RECORD_HEADER = 5; //  input ends inside a record/block header
export const ERR_TRUNCATED_RECORD = 6; //         input ends inside a record's data or a block
export const ERR_RECORD_TOO_LONG = 7; //          a record/block length beyond any sane bound (value)
export const ERR_BLOCK_LENGTH_INVALID = 8; //     pcapng length too small or not a multiple of 4
export const ERR_BLOCK_TRAILER_MISMATCH = 9; //   pcapng trailing length differs from the leading
export const ERR_UNKNOWN_INTERFACE = 10; //       pcapng packet names an interface not described
export const ERR_PACKET_LENGTH_INVALID = 11; //   a packet's captured length does not fit its block
export const ERR_LINKTYPE_RESERVED_BITS = 12; //  pcap link-type field has reserved bits set
export const ERR_TOO_MANY_INTERFACES = 13;
export const ERR_BAD_BYTE_ORDER_MAGIC = 14; //    pcapng SHB byte-order magic unrecognised
export const ERR_PACKET_BEFORE_SECTION = 15;
export const ERR_OPTION_LENGTH_INVALID = 16; //   a pcapng Interface Description Block option runs past its block (value: its length)
export const ERR_COUNT = 17;

// Warnings: the input is readable, but something in it is off. WARN_COUNT slots of
// (count, first byte offset, first packet index, first value) f64s.
export const WARN_TS_FRACTION_RANGE = 0; //   timestamp fraction >= one second: carried into seconds
export const WARN_CAPLEN_GT_ORIGLEN = 1; //   captured length above original length
export const WARN_TSRESOL_INVALID = 2; //     if_tsresol beyond what can be represented: default used
export const WARN_CAPLEN_GT_SNAPLEN = 3; //   record longer than the declared snaplen
export const WARN_UNSUPPORTED_LINKTYPE = 4; // value: the link type
export const WARN_TS_TOP_BIT = 5; //          pcapng 64-bit tick count >= 2^63: kept unsigned (value: seconds)
export const WARN_TS_FAR_FROM_FIRST = 6; //   2^21 s or more from the first packet's time (value: signed seconds)
export const WARN_FCSLEN_UNKNOWN = 7; //     if_fcslen neither an FCS's bytes (0, 2, 4) nor bits (16, 32): none removed
export const WARN_TS_NOT_EXACT = 8; //        seconds, or if_tsoffset, 2^53 or more (if_tsresol 0, a huge offset): rounded (value: seconds)
export const WARN_SPB_UNTIMED = 9; //         Simple Packet Block before any timed packet of its input: time 0 (1970)
export const WARN_OPTION_SHORT = 10; //       if_tsresol, if_tsoffset or if_fcslen shorter than its value: ignored (value: code << 16 | length)
export const WARN_SECTION_OPTION_PAST_BLOCK = 11; // a Section Header Block option runs past its block: the options from it unread (value: its length)
export const WARN_COUNT = 12;
// 2^53: whole seconds from here on are not all exact in a 64-bit float.
export const TS_EXACT_SECONDS = 9007199254740992.0;
// Packet times are kept as 64-bit float seconds from the first packet's: from 2^21 s (24 days)
// away, one unit in the last place is half a nanosecond or more, and printed durations and
// round trips may be off by a nanosecond or more.
export const TS_FAR_SECONDS = 2097152.0; // 2^21
export const WARN_SLOT_SIZE = 4; // f64s per warning

// Metadata events, drained by the SDK after every decode() call: META_SLOT_SIZE f64s each.
export const META_SECTION = 1; //   [kind, offset, bigEndian, major, minor]
export const META_INTERFACE = 2; // [kind, offset, section, interfaceId, linkType, snaplen,
//                                   tsUnitsPerSec, tsOffsetSec, fcsBytes]
export const META_SLOT_SIZE = 9;
export const META_CAPACITY = 256;

// Container formats reported by container().
export const FORMAT_UNKNOWN = 0;
export const FORMAT_PCAP = 1;
export const FORMAT_PCAPNG = 2;
