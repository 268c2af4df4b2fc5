// Names of the link types (tcpdump.org LINKTYPE_* registry) a user is likely to meet.

const NAMES: Record<number, string> = {
  0: "NULL", 1: "ETHERNET", 6: "IEEE802_5", 7: "ARCNET_BSD", 8: "SLIP", 9: "PPP", 10: "FDDI",
  12: "RAW", 14: "RAW", 50: "PPP_HDLC", 51: "PPP_ETHER", 101: "RAW", 104: "C_HDLC",
  105: "IEEE802_11", 108: "LOOP", 113: "LINUX_SLL", 119: "PRISM_HEADER", 127: "IEEE802_11_RADIOTAP",
  129: "ARCNET_LINUX", 143: "DOCSIS", 147: "USER0", 163: "IEEE802_11_AVS", 189: "USB_LINUX",
  192: "PPI", 195: "IEEE802_15_4", 197: "ERF", 220: "USB_LINUX_MMAPPED", 228: "IPV4", 229: "IPV6",
  239: "NFLOG", 240: "NETANALYZER", 242: "IPOIB", 249: "USBPCAP", 252: "WIRESHARK_UPPER_PDU",
  276: "LINUX_SLL2",
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}
