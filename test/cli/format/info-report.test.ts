// info's figures printed as capinfos prints them: rates cut to whole units (its integer
// division), not rounded; the average packet size with C's %.2f (an exact tie to even).

import { describe, it, expect } from "vitest";
import { siValue, capinfosFixed2 } from "../../../cli/format/info-report.js";

describe("info's numbers as capinfos prints them", () => {
  it("rates: whole units cut, not rounded, with SI prefixes from 10 000 on", () => {
    expect(siValue(18755.81, "bytes/s", "Bps")).toBe("18 kBps"); // capinfos: 18 kBps (ppp__tls2.pcap)
    expect(siValue(102.64, "packets/s")).toBe("102 packets/s");
    expect(siValue(9999.9, "bytes/s", "Bps")).toBe("9999 bytes/s");
    expect(siValue(10000, "bytes/s", "Bps")).toBe("10 kBps");
    expect(siValue(9999999.5, "bits/s", "bps")).toBe("9999 kbps");
    expect(siValue(2795999.9, "bits/s", "bps")).toBe("2795 kbps");
    expect(siValue(1402.3, "bytes/s", "Bps")).toBe("1402 bytes/s");
  });

  it("%.2f: an exact tie goes to the even digit, anything else to the nearest", () => {
    expect(capinfosFixed2(2424.125)).toBe("2424.12"); // capinfos: 2424.12 (gopacket__test_loopback.pcap)
    expect(capinfosFixed2(0.375)).toBe("0.38");
    expect(capinfosFixed2(1.625)).toBe("1.62");
    expect(capinfosFixed2(7.875)).toBe("7.88");
    expect(capinfosFixed2(76.87323943661971)).toBe("76.87");
    expect(capinfosFixed2(1.005)).toBe("1.00"); // 1.00499999999999989…: not a tie
    expect(capinfosFixed2(288)).toBe("288.00");
  });
});
