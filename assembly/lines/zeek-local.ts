// Whether Zeek counts an address as local (its conn.log's local_orig and local_resp): by default
// Site::local_nets starts as Site::private_address_space, IANA's special-purpose
// blocks that are not globally routable and their 6to4 forms. The list, as text, is
// cli/format/zeek-local.ts; here the same blocks as masks on the address's leading bits
// (test/cli/format/zeek-local.test.ts holds the two together).

// IPv4: value and mask of each block, on the address as a big-endian number.
const V4: StaticArray<u32> = [
  0x00000000, 0xff000000, // 0.0.0.0/8
  0x0a000000, 0xff000000, // 10.0.0.0/8
  0x64400000, 0xffc00000, // 100.64.0.0/10
  0x7f000000, 0xff000000, // 127.0.0.0/8
  0xa9fe0000, 0xffff0000, // 169.254.0.0/16
  0xac100000, 0xfff00000, // 172.16.0.0/12
  0xc0000000, 0xffffff00, // 192.0.0.0/24
  0xc0000200, 0xffffff00, // 192.0.2.0/24
  0xc0a80000, 0xffff0000, // 192.168.0.0/16
  0xc6120000, 0xfffe0000, // 198.18.0.0/15
  0xc6336400, 0xffffff00, // 198.51.100.0/24
  0xcb007100, 0xffffff00, // 203.0.113.0/24
  0xf0000000, 0xf0000000, // 240.0.0.0/4 (255.255.255.255/32 within it)
];

// IPv6 blocks of 64 bits or fewer: value and mask of the address's first 64 bits.
const V6: StaticArray<u64> = [
  0x2002000000000000, 0xffffff0000000000, // 2002::/24
  0x20020a0000000000, 0xffffff0000000000, // 2002:a00::/24
  0x2002644000000000, 0xffffffc000000000, // 2002:6440::/26
  0x20027f0000000000, 0xffffff0000000000, // 2002:7f00::/24
  0x2002a9fe00000000, 0xffffffff00000000, // 2002:a9fe::/32
  0x2002ac1000000000, 0xfffffff000000000, // 2002:ac10::/28
  0x2002c00000000000, 0xffffffffff000000, // 2002:c000::/40
  0x2002c00002000000, 0xffffffffff000000, // 2002:c000:200::/40
  0x2002c0a800000000, 0xffffffff00000000, // 2002:c0a8::/32
  0x2002c61200000000, 0xfffffffe00000000, // 2002:c612::/31
  0x2002c63364000000, 0xffffffffff000000, // 2002:c633:6400::/40
  0x2002cb0071000000, 0xffffffffff000000, // 2002:cb00:7100::/40
  0x2002f00000000000, 0xfffff00000000000, // 2002:f000::/20
  0x2002ffffffff0000, 0xffffffffffff0000, // 2002:ffff:ffff::/48
  0x0064ff9b00010000, 0xffffffffffff0000, // 64:ff9b:1::/48
  0x0100000000000000, 0xffffffffffffffff, // 100::/64
  0x2001000000000000, 0xfffffe0000000000, // 2001::/23 (2001:2::/48 within it)
  0x20010db800000000, 0xffffffff00000000, // 2001:db8::/32
  0xfc00000000000000, 0xfe00000000000000, // fc00::/7
  0xfe80000000000000, 0xffc0000000000000, // fe80::/10
];

// A site's own local nets (Zeek's Site::local_nets, the scan's localNets), beside the private
// address space as Zeek has it by default (Site::private_address_space_is_local). Kept as Zeek
// keeps subnets, on 128 bits: an IPv4 one as its IPv4-mapped form (::ffff:a.b.c.d/96+n), against
// which an IPv4 address is matched in that form too. Each: value and mask, high then low 64 bits.
const MAX_SITE_NETS: u32 = 256;
const SITE_NET_BYTES: u32 = 32;
const siteNets = memory.data(<i32>(MAX_SITE_NETS * SITE_NET_BYTES), 8);
let siteNetCount: u32 = 0;

/** Forgets the site's nets (the writer's default: the private address space alone). */
export function clearSiteNets(): void { siteNetCount = 0; }

/** Adds a site net (128 bits in four big-endian words, the IPv4-mapped form for IPv4); false past MAX_SITE_NETS. */
export function addSiteNet(w0: u32, w1: u32, w2: u32, w3: u32, bits: u32): bool {
  if (siteNetCount == MAX_SITE_NETS || bits > 128) return false;
  const highMask: u64 = bits == 0 ? 0 : bits >= 64 ? 0xffffffffffffffff : 0xffffffffffffffff << (64 - bits);
  const lowMask: u64 = bits <= 64 ? 0 : bits == 128 ? 0xffffffffffffffff : 0xffffffffffffffff << (128 - bits);
  const at = siteNets + <usize>(siteNetCount++ * SITE_NET_BYTES);
  store<u64>(at, ((<u64>w0 << 32) | <u64>w1) & highMask);
  store<u64>(at, ((<u64>w2 << 32) | <u64>w3) & lowMask, 8);
  store<u64>(at, highMask, 16);
  store<u64>(at, lowMask, 24);
  return true;
}

// The 128-bit address (high, low) in a site net.
function inSiteNets(high: u64, low: u64): bool {
  for (let k: u32 = 0; k < siteNetCount; k++) {
    const at = siteNets + <usize>(k * SITE_NET_BYTES);
    if ((high & load<u64>(at, 16)) == load<u64>(at) && (low & load<u64>(at, 24)) == load<u64>(at, 8)) return true;
  }
  return false;
}

const MAPPED: u64 = 0x0000ffff00000000; // ::ffff:0:0/96's low half

// An IPv4 address, as a big-endian number.
function zeekLocal4(x: u32): bool {
  for (let k = 0; k < V4.length; k += 2) if ((x & unchecked(V4[k + 1])) == unchecked(V4[k])) return true;
  return false;
}

/** Whether the address at `a` (16 bytes, network order; IPv4 in the first 4) is local to Zeek. */
export function zeekLocal(a: usize, version: u32): bool {
  if (version == 4) {
    const x = bswap<u32>(load<u32>(a));
    return zeekLocal4(x) || (siteNetCount != 0 && inSiteNets(0, MAPPED | <u64>x));
  }
  const high = bswap<u64>(load<u64>(a)), low = bswap<u64>(load<u64>(a, 8));
  return privateV6(high, low) || (siteNetCount != 0 && inSiteNets(high, low));
}

function privateV6(high: u64, low: u64): bool {
  if (high == 0) {
    // ::/128 and ::1/128, the two blocks longer than 64 bits.
    if (low <= 1) return true;
    // An IPv4-mapped address (::ffff:0:0/96) is to Zeek the IPv4 address it maps (Zeek holds
    // every IPv4 address in that form): ::ffff:10.0.0.1 lies in 10.0.0.0/8.
    if ((low >> 32) == 0xffff) return zeekLocal4(<u32>low);
  }
  for (let k = 0; k < V6.length; k += 2) if ((high & unchecked(V6[k + 1])) == unchecked(V6[k])) return true;
  return false;
}
