// --tunnel-ports and --max-tunnel-depth, shared by the scan and info commands.

import { parseTunnelPorts, layout, type DecoderOptions } from "../sdk/index.js";
import { UsageError } from "./usage-error.js";
import { wholeNumber } from "./whole-number.js";

export interface DecapsulationFlags {
  tunnelPorts?: string;
  maxTunnelDepth?: number | string;
}

export function decapsulationOptions(flags: DecapsulationFlags): Pick<DecoderOptions, "tunnelPorts" | "maxTunnelDepth"> {
  const out: Pick<DecoderOptions, "tunnelPorts" | "maxTunnelDepth"> = {};
  if (flags.tunnelPorts !== undefined) {
    try {
      out.tunnelPorts = parseTunnelPorts(String(flags.tunnelPorts));
    } catch (error) {
      throw new UsageError(`--tunnel-ports: ${(error as Error).message}`);
    }
  }
  if (flags.maxTunnelDepth !== undefined) {
    const n = wholeNumber(flags.maxTunnelDepth);
    if (n === null || n > layout.MAX_TUNNEL_DEPTH) {
      throw new UsageError(`--max-tunnel-depth: "${flags.maxTunnelDepth}" is not a depth from 0 to ${layout.MAX_TUNNEL_DEPTH}`);
    }
    out.maxTunnelDepth = n;
  }
  return out;
}
