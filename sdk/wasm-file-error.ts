// Why a bundled .wasm file could not be read, in words that name the cause: a missing build,
// or (under Deno without --allow-read, or a file the user may not read) a missing permission.

const PERMISSION = new Set(["NotCapable", "PermissionDenied"]); // Deno's error names

function isPermission(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  return PERMISSION.has(e?.name ?? "") || e?.code === "EACCES" || e?.code === "EPERM";
}

/** The error to throw when no candidate path for `file` (e.g. "decoder.wasm") could be read. */
export function wasmFileError(file: string, errors: unknown[]): Error {
  const denied = errors.find(isPermission);
  if (denied) {
    return new Error(`cannot read ${file}: read permission is needed (under Deno, run with --allow-read): ${String(denied)}`);
  }
  const missing = errors.every((e) => (e as { code?: string; name?: string })?.code === "ENOENT" || (e as { name?: string })?.name === "NotFound");
  return new Error(missing ? `${file} not found (run "npm run build"): ${String(errors[0])}` : `cannot read ${file}: ${String(errors[0])}`);
}
