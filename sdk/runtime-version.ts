// The Node versions the package runs on, as package.json's engines says (a test holds the two
// alike): 20.19 and later 20s, and 22.12 on (20.19 is the 20 line's backport of 22.12's
// require(esm)). Outside them, APIs the package calls may be missing (zlib.crc32 came in 20.15
// and 22.2), and the first call of one would end the process with a stack trace: the command and
// the SDK say this instead.

import * as zlib from "node:zlib";

export const SUPPORTED_NODE = [{ major: 20, minor: 19 }, { major: 22, minor: 12 }] as const;
const [TWENTY, LATER] = SUPPORTED_NODE;
/** package.json's engines.node, from SUPPORTED_NODE. */
export const ENGINES_NODE = `^${TWENTY.major}.${TWENTY.minor} || >=${LATER.major}.${LATER.minor}`;
const NEEDS = `needs Node ${TWENTY.major}.${TWENTY.minor} or later ${TWENTY.major}.x, or ${LATER.major}.${LATER.minor} or later`;

/**
 * Why this runtime cannot run the package, in one line, or null. `version` is Node's (Deno and
 * Bun report the Node version they are compatible with); none known: only the APIs are checked.
 */
export function unsupportedRuntime(
  version: string | undefined = globalThis.process?.versions?.node,
  hasCrc32 = typeof (zlib as { crc32?: unknown }).crc32 === "function",
): string | null {
  if (typeof version === "string") {
    const [major = NaN, minor = NaN] = version.split(".").map(Number);
    const supported = (major === TWENTY.major && minor >= TWENTY.minor) || major > LATER.major || (major === LATER.major && minor >= LATER.minor);
    if (!supported) return `${NEEDS}; this is Node ${version}`;
  }
  return hasCrc32 ? null : `${NEEDS}: this runtime has no zlib.crc32`;
}
