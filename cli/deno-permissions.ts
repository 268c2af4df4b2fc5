// The command under Deno (`deno run dist/cli/bin.cjs ...`): Deno refuses, by a NotCapable error
// where Node would just act, what its permissions do not grant. Said in one line (exit 2, as a
// command line that cannot run), never as an uncaught stack or an internal error.

/** What the command needs of Deno: reading captures and its environment; writing for -o, partition and temporary files. */
export const DENO_PERMISSIONS = "give --allow-read and --allow-env, and --allow-write for -o, partition or ladders held in a temporary file (or -A)";

interface DenoPermissions { querySync?: (p: { name: string; path?: string; variable?: string }) => { state: string } }
const deno = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno;

/**
 * Under Deno, the line for a missing permission the command needs before it can say anything
 * else: reading its own files (`dir`, where it is installed) and the environment variable it
 * reads first (`variable`); null elsewhere or when both are granted. Asked for these, not for
 * reading or the environment as a whole: `--allow-read=DIR` scoped to them is enough here (a
 * capture outside it is refused later, in Deno's words).
 */
export function missingDenoPermission(dir: string, variable: string): string | null {
  const query = deno?.permissions?.querySync;
  if (!query) return null;
  const asked = [{ name: "read", path: dir }, { name: "env", variable }];
  const missing = asked.filter((p) => query.call(deno!.permissions, p).state !== "granted").map((p) => p.name);
  return missing.length === 0 ? null : `under Deno the command needs --allow-${missing.join(" and --allow-")}: ${DENO_PERMISSIONS}`;
}

/** The one line for Deno's refusal `error` (NotCapable: its message names the flag), or null for any other error. */
export function denoRefusalLine(error: unknown): string | null {
  if (!deno || (error as Error | null)?.name !== "NotCapable") return null;
  return (error as Error).message;
}
