// The oldest Node the package runs on, as package.json's engines says (a test holds the two
// alike). Before it, APIs the package calls are missing (zlib.crc32 came in 20.15), and the first
// call of one would end the process with a stack trace: the command and the SDK say this instead.

export const OLDEST_NODE = { major: 20, minor: 19 } as const;

/**
 * Why this runtime cannot run the package, in one line, or null. `version` is Node's (Deno and
 * Bun report the Node version they are compatible with); none known: nothing to say.
 */
export function unsupportedRuntime(version: string | undefined = globalThis.process?.versions?.node): string | null {
  if (typeof version !== "string") return null;
  const [major = NaN, minor = NaN] = version.split(".").map(Number);
  if (!(major < OLDEST_NODE.major || (major === OLDEST_NODE.major && minor < OLDEST_NODE.minor))) return null;
  return `needs Node ${OLDEST_NODE.major}.${OLDEST_NODE.minor} or later; this is Node ${version}`;
}
