// Builds exact packet bytes from descriptions: TCP segments (with options and correct
// checksums), IPv4/IPv6 headers (with options and extension headers), and the link layers the
// decoder reads. Tests use it to cover each header path byte for byte.

export type Bytes = Uint8Array;

export function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function u16(v: number): Bytes { return new Uint8Array([(v >>> 8) & 255, v & 255]); }
export function u32(v: number): Bytes { return new Uint8Array([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]); }

export function parseAddress(addr: string): Bytes {
  if (addr.includes(":")) {
    const [head, tail] = addr.split("::") as [string, string | undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const words = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return concat(...words.map((w) => u16(parseInt(w, 16))));
  }
  return new Uint8Array(addr.split(".").map(Number));
}

export function checksum(data: Bytes, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// TCP

export const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128, AE: 256 } as const;

export type TcpOption =
  | { kind: "mss"; value: number }
  | { kind: "wscale"; shift: number }
  | { kind: "sackPermitted" }
  | { kind: "sack"; blocks: [number, number][] }
  | { kind: "timestamps"; value: number; echo: number }
  | { kind: "tfo"; cookie: Bytes }
  | { kind: "tfoExperimental"; cookie: Bytes }
  | { kind: "mptcp"; data: Bytes }
  | { kind: "nop" }
  | { kind: "eol" }
  | { kind: "raw"; bytes: Bytes };

export function encodeOption(o: TcpOption): Bytes {
  switch (o.kind) {
    case "mss": return concat(new Uint8Array([2, 4]), u16(o.value));
    case "wscale": return new Uint8Array([3, 3, o.shift]);
    case "sackPermitted": return new Uint8Array([4, 2]);
    case "sack": return concat(new Uint8Array([5, 2 + 8 * o.blocks.length]), ...o.blocks.flatMap(([a, b]) => [u32(a), u32(b)]));
    case "timestamps": return concat(new Uint8Array([8, 10]), u32(o.value), u32(o.echo));
    case "tfo": return concat(new Uint8Array([34, 2 + o.cookie.length]), o.cookie);
    case "tfoExperimental": return concat(new Uint8Array([254, 4 + o.cookie.length, 0xf9, 0x89]), o.cookie);
    case "mptcp": return concat(new Uint8Array([30, 2 + o.data.length]), o.data);
    case "nop": return new Uint8Array([1]);
    case "eol": return new Uint8Array([0]);
    case "raw": return o.bytes;
  }
}

export interface TcpSpec {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgent?: number;
  options?: TcpOption[];
  payload?: Bytes | number;
  /** Override the data-offset field (in 32-bit words). */
  dataOffsetWords?: number;
  /** Deliberately wrong checksum. */
  badChecksum?: boolean;
}

export function tcpSegment(spec: TcpSpec, src: Bytes, dst: Bytes): Bytes {
  let opts = concat(...(spec.options ?? []).map(encodeOption));
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)));
  const payload = typeof spec.payload === "number" ? new Uint8Array(spec.payload).fill(0x61) : spec.payload ?? new Uint8Array(0);
  const hlen = 20 + opts.length;
  const words = spec.dataOffsetWords ?? hlen / 4;
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, spec.sport ?? 40000);
  v.setUint16(2, spec.dport ?? 80);
  v.setUint32(4, (spec.seq ?? 1000) >>> 0);
  v.setUint32(8, (spec.ack ?? 0) >>> 0);
  const flags = spec.flags ?? F.SYN;
  v.setUint16(12, (words << 12) | (flags & 0x1ff));
  v.setUint16(14, spec.window ?? 65535);
  v.setUint16(18, spec.urgent ?? 0);
  const seg = concat(h, opts, payload);
  const pseudo = concat(src, dst, src.length === 4 ? concat(new Uint8Array([0, 6]), u16(seg.length)) : concat(u32(seg.length), u32(6)));
  let sum = checksum(concat(pseudo, seg));
  if (spec.badChecksum) sum ^= 0x5a5a;
  seg[16] = sum >>> 8;
  seg[17] = sum & 255;
  return seg;
}

// ---------------------------------------------------------------------------------------------
// IP

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  ttl?: number;
  tos?: number;
  protocol?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8) and more-fragments flag. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  options?: Bytes;
  /** Override the total-length field (e.g. 0 for BIG TCP). */
  totalLength?: number;
  badHeaderChecksum?: boolean;
}

export function ipv4(spec: Ipv4Spec, payload: Bytes): Bytes {
  const opts = spec.options ?? new Uint8Array(0);
  const hlen = 20 + opts.length;
  const h = new Uint8Array(hlen);
  const v = new DataView(h.buffer);
  h[0] = 0x40 | (hlen / 4);
  h[1] = spec.tos ?? 0;
  v.setUint16(2, spec.totalLength ?? hlen + payload.length);
  v.setUint16(4, spec.id ?? 1);
  v.setUint16(6, ((spec.moreFragments ? 1 : 0) << 13) | ((spec.fragmentOffset ?? 0) >>> 3));
  h[8] = spec.ttl ?? 64;
  h[9] = spec.protocol ?? 6;
  h.set(parseAddress(spec.src ?? "10.0.0.1"), 12);
  h.set(parseAddress(spec.dst ?? "10.0.0.2"), 16);
  h.set(opts, 20);
  let sum = checksum(h);
  if (spec.badHeaderChecksum) sum ^= 0x1111;
  v.setUint16(10, sum);
  return concat(h, payload);
}

export interface Ipv6Ext { type: number; body?: Bytes }

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  hopLimit?: number;
  trafficClass?: number;
  protocol?: number;
  /** Extension headers in order; each `body` excludes the next-header/length bytes. */
  extensions?: Ipv6Ext[];
  payloadLength?: number;
}

function extensionHeader(ext: Ipv6Ext, next: number): Bytes {
  if (ext.type === 44) { // fragment header: body is the 6 bytes after next-header/reserved
    return concat(new Uint8Array([next, 0]), ext.body ?? new Uint8Array(6));
  }
  const body = ext.body ?? new Uint8Array(6);
  if (ext.type === 51) { // AH: length in 4-byte units minus 2
    return concat(new Uint8Array([next, (body.length + 2) / 4 - 2]), body);
  }
  return concat(new Uint8Array([next, (body.length + 2) / 8 - 1]), body);
}

export function ipv6(spec: Ipv6Spec, payload: Bytes): Bytes {
  const exts = spec.extensions ?? [];
  const proto = spec.protocol ?? 6;
  const chain: Bytes[] = exts.map((e, i) => extensionHeader(e, i + 1 < exts.length ? exts[i + 1]!.type : proto));
  const body = concat(...chain, payload);
  const h = new Uint8Array(40);
  const v = new DataView(h.buffer);
  v.setUint32(0, (6 << 28) | ((spec.trafficClass ?? 0) << 20));
  v.setUint16(4, spec.payloadLength ?? body.length);
  h[6] = exts.length ? exts[0]!.type : proto;
  h[7] = spec.hopLimit ?? 64;
  h.set(parseAddress(spec.src ?? "2001:db8::1"), 8);
  h.set(parseAddress(spec.dst ?? "2001:db8::2"), 24);
  return concat(h, body);
}

/** A whole IP packet carrying one TCP segment. */
export interface TcpPacketSpec extends TcpSpec {
  v6?: boolean;
  src?: string;
  dst?: string;
  ip4?: Ipv4Spec;
  ip6?: Ipv6Spec;
}

export function tcpIp(spec: TcpPacketSpec): Bytes {
  if (spec.v6) {
    const src = spec.src ?? spec.ip6?.src ?? "2001:db8::1";
    const dst = spec.dst ?? spec.ip6?.dst ?? "2001:db8::2";
    return ipv6({ ...spec.ip6, src, dst }, tcpSegment(spec, parseAddress(src), parseAddress(dst)));
  }
  const src = spec.src ?? spec.ip4?.src ?? "10.0.0.1";
  const dst = spec.dst ?? spec.ip4?.dst ?? "10.0.0.2";
  return ipv4({ ...spec.ip4, src, dst }, tcpSegment(spec, parseAddress(src), parseAddress(dst)));
}

// ---------------------------------------------------------------------------------------------
// Link layers

const MAC_A = new Uint8Array([0x02, 0, 0, 0, 0, 1]);
const MAC_B = new Uint8Array([0x02, 0, 0, 0, 0, 2]);

export function ethertypeOf(ip: Bytes): number { return ip[0]! >> 4 === 6 ? 0x86dd : 0x0800; }

export interface EthernetSpec {
  /** Tags outermost first: [tpid, vlanId]. */
  vlans?: [number, number][];
  mpls?: number[]; // labels, outermost first
  pppoe?: boolean;
  /** Pad to the 60-byte Ethernet minimum, as NICs do. */
  pad?: boolean;
}

export function ethernet(payload: Bytes, spec: EthernetSpec = {}, type = ethertypeOf(payload)): Bytes {
  let inner = payload;
  let t = type;
  if (spec.pppoe) {
    inner = concat(new Uint8Array([0x11, 0x00]), u16(0x1234), u16(inner.length + 2), u16(t === 0x86dd ? 0x0057 : 0x0021), inner);
    t = 0x8864;
  }
  if (spec.mpls) {
    const labels = spec.mpls.map((l, i) => u32((l << 12) | (i === spec.mpls!.length - 1 ? 0x100 : 0) | 64));
    inner = concat(...labels, inner);
    t = 0x8847;
  }
  const tags: Bytes[] = [];
  const vlans = spec.vlans ?? [];
  for (let i = 0; i < vlans.length; i++) {
    const next = i + 1 < vlans.length ? vlans[i + 1]![0] : t;
    tags.push(concat(u16(vlans[i]![1]), u16(next)));
  }
  const outer = vlans.length ? vlans[0]![0] : t;
  let frame = concat(MAC_B, MAC_A, u16(outer), ...tags, inner);
  if (spec.pad && frame.length < 60) frame = concat(frame, new Uint8Array(60 - frame.length));
  return frame;
}

export function sll(ip: Bytes, protocol = ethertypeOf(ip)): Bytes {
  return concat(u16(0), u16(1), u16(6), MAC_A, new Uint8Array(2), u16(protocol), ip);
}

export function sll2(ip: Bytes, protocol = ethertypeOf(ip)): Bytes {
  return concat(u16(protocol), u16(0), u32(2), u16(1), new Uint8Array([0, 6]), MAC_A, new Uint8Array(2), ip);
}

/** BSD loopback: address family in the capturing host's byte order. */
export function nullLink(ip: Bytes, bigEndian = false, v6Family = 30): Bytes {
  const family = ip[0]! >> 4 === 6 ? v6Family : 2;
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, !bigEndian);
  return concat(h, ip);
}

export function ppp(ip: Bytes, withAddressControl = true): Bytes {
  const proto = u16(ip[0]! >> 4 === 6 ? 0x0057 : 0x0021);
  return withAddressControl ? concat(new Uint8Array([0xff, 0x03]), proto, ip) : concat(proto, ip);
}
