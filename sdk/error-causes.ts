// The system's error codes in plain words, for the one-line messages about inputs and outputs.

const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "is a directory",
  ENOENT: "no such file or directory",
  ENOTDIR: "a component of the path is not a directory",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many symbolic links",
  // Words for reads and writes alike (an output that is no file open for writing gives EBADF).
  EBADF: "bad file descriptor",
  EINVAL: "invalid argument",
  ENXIO: "no such device or address",
  ENODEV: "no such device",
  ETXTBSY: "text file busy",
  // partition keeps a file open per bucket: the hard limit (ulimit -Hn) is below --buckets.
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
};

/** A system error's cause in plain words with its code, "no space left on device (ENOSPC)"; Node's own text for a code not listed. */
export function causeInWords(error: NodeJS.ErrnoException & { code: string }): string {
  const words = CAUSES[error.code];
  if (words) return `${words} (${error.code})`;
  // Node's text repeats the code and names the call and path ("ELOOP: too many …, stat '/x'"): keep only the words.
  const text = error.message.replace(new RegExp(`^${error.code}: `), "").replace(/, \w+ '.*'$/s, "");
  return `${text} (${error.code})`;
}
