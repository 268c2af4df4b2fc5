#!/usr/bin/env python3
"""One tcp-handshake-scan of many capture files, spread over a Dask cluster.

Map: each task runs `tcp-handshake-scan partition` over a few of the files (consecutive in
the order given; a task reads its files in capture order, by first packet, and the reduce
puts all of them in that order), writing their TCP packet records by flow-hash bucket into
PARTS/. Reduce: once every map task is done, each bucket is tracked by
`tcp-handshake-scan --from-partitions PARTS --bucket b`, which writes that bucket's
connections as OUT/bucket-NNNNN.parquet. Read them as one table:

    duckdb -c "SELECT conn_state, count(*) FROM 'OUT/*.parquet' GROUP BY 1"

The records are those one scan of all the files gives (same ids, frame numbers, timers).
PARTS and OUT must be paths every worker sees (a shared file system), as must the captures.

    scan_on_dask.py --workers 2 --buckets 8 --parts /shared/parts --out /shared/conns cap-*.pcap
    scan_on_dask.py --scheduler tcp://10.0.0.5:8786 --buckets 256 ... (join a running cluster)
"""

import argparse
import os
import shlex
import signal
import subprocess
import sys

from dask.distributed import Client, LocalCluster

# A map task whose capture is damaged exits 4: what it read before the damage is partitioned
# and counts, as in a single scan, so the run goes on and ends with 4 too.
DAMAGED = 4
# The shell's status for a command that could not be started (--command naming no program).
NOT_STARTED = 127
# The tool's status for an output that cannot be written.
OUTPUT_FAILED = 5


def run(args):
    """Runs the tool; returns (exit code, standard output, standard error). A task reports a
    failure in what it returns, not by raising: the driver then prints the tool's own line and
    ends with its exit code, instead of Dask's traceback of the task."""
    try:
        done = subprocess.run(args, capture_output=True, text=True)
    except OSError as error:
        return NOT_STARTED, "", f"{shlex.join(args)}: cannot be started: {error.strerror or error}"
    if done.returncode < 0:
        # Killed by a signal (the OOM killer's SIGKILL, say): no line of its own, and a negative
        # code that max() would lose under 0. A shell's status for it, and a line naming the task.
        sig = -done.returncode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        line = f"{shlex.join(args)}: killed by {name}"
        return 128 + sig, done.stdout.strip(), "\n".join(filter(None, [done.stderr.strip(), line]))
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def partition(command, buckets, parts, files):
    """Map task: returns (exit code, the map output's directory, the error lines)."""
    return run(command + ["partition", "--buckets", str(buckets), "-o", parts, *files])


def reduce_bucket(command, parts, maps, bucket, out, damage_lines):
    """Reduce task: one bucket's connections as Parquet; returns (exit code, the file's path or
    None, the error lines). `damage_lines` are the map tasks' lines for captures read up to their
    damage: a reduce says them again (exit 4), and its bucket is then whole, as a scan's records are."""
    path = os.path.join(out, f"bucket-{bucket:05d}.parquet")
    code, _, errors = run(command + ["--from-partitions", parts, "--bucket", str(bucket), "--maps", str(maps),
                                     "--format", "parquet", "-o", path])
    if code == 0:
        return code, path, errors
    if code == DAMAGED and errors and all(line in damage_lines for line in errors.splitlines()):
        return code, path, ""
    if os.path.exists(path):
        # A bucket file found damaged (exit 4) leaves the connections tracked before the damage
        # in `path`: removed, so that OUT/*.parquet is never read with a bucket short of some.
        os.remove(path)
    # A tool that failed without a word (a `timeout` in --command, say): the bucket named.
    return code, None, errors or f"bucket {bucket}: the reduce task exited {code} without a line"


def count(text):
    """An argparse type: a whole number of 1 or more. 0 workers would wait for ever on a cluster
    with none, 0 files a task cannot group the files, and 0 buckets would reduce nothing."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def same_file_twice(captures):
    """The first capture named twice (compared by device and inode where the driver sees it, by
    name elsewhere), as (first name, second name), or None. Two map tasks would write the same
    map output, and the reduce would count its connections twice, as a scan refuses to."""
    seen = {}
    for name in captures:
        try:
            st = os.stat(name)
            key = (st.st_dev, st.st_ino)
        except OSError:
            key = os.path.abspath(name)
        if key in seen:
            return seen[key], name
        seen[key] = name
    return None


def stale_buckets(out, buckets):
    """Bucket files in OUT that this run does not write (a run with more buckets left them):
    read with this run's buckets as one table, they would count their connections again."""
    names = os.listdir(out) if os.path.isdir(out) else []
    mine = {f"bucket-{b:05d}.parquet" for b in range(buckets)}
    return sorted(n for n in names if n.startswith("bucket-") and n.endswith(".parquet") and n not in mine)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("captures", nargs="+", help="capture files, in any order (the tasks put them in capture order)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a local cluster)")
    p.add_argument("--workers", type=count, default=2, help="workers of the local cluster (default 2)")
    p.add_argument("--buckets", type=count, default=8, help="flow-hash buckets: reduce tasks (default 8)")
    p.add_argument("--files-per-task", type=count, default=4, help="capture files per map task (default 4)")
    p.add_argument("--parts", required=True, help="directory for the map outputs (must be empty or new)")
    p.add_argument("--out", required=True, help="directory for the buckets' Parquet files (none of a run with more buckets)")
    p.add_argument("--command", default="tcp-handshake-scan", help="how workers run the tool (default: tcp-handshake-scan)")
    a = p.parse_args()

    command = shlex.split(a.command)
    twice = same_file_twice(a.captures)
    if twice:
        print(f"{sys.argv[0]}: {twice[0]} and {twice[1]} are the same file: each capture once "
              "(its connections would be counted twice)", file=sys.stderr)
        return 2
    stale = stale_buckets(a.out, a.buckets)
    if stale:
        print(f"{sys.argv[0]}: {a.out} holds bucket files of another run ({', '.join(stale[:3])}"
              f"{', ...' if len(stale) > 3 else ''}) that would be read with this run's: remove them or use another --out",
              file=sys.stderr)
        return 2
    try:
        os.makedirs(a.out, exist_ok=True)
    except OSError as error:
        # The tool's code for an output that cannot be written, in one line as its own.
        print(f"{sys.argv[0]}: {a.out}: cannot make the output directory: {error.strerror or error}", file=sys.stderr)
        return OUTPUT_FAILED
    groups = [a.captures[k:k + a.files_per_task] for k in range(0, len(a.captures), a.files_per_task)]
    # The HTTP server on a free port: None still takes 8787, and with it in use (another run,
    # anything) Dask printed a warning among the run's lines.
    cluster = None if a.scheduler else LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                                     dashboard_address=":0")
    try:
        client = Client(a.scheduler or cluster)
    except OSError as error:
        if not a.scheduler:
            raise
        # An address where no scheduler answers: Dask gives up after its connect timeout.
        print(f"{sys.argv[0]}: --scheduler {a.scheduler}: cannot connect: {error}", file=sys.stderr)
        return 2
    with client:
        maps = client.gather(client.map(partition, [command] * len(groups), [a.buckets] * len(groups),
                                        [a.parts] * len(groups), groups, pure=False))
        exit_code = 0
        for code, _, errors in maps:
            if errors:
                print(errors, file=sys.stderr)
            exit_code = max(exit_code, code)
        # A map task that read nothing of a capture (missing, unreadable: 3) or failed otherwise:
        # no reduce could give the scan of all the files. Its own line is printed above.
        failed = [code for code, _, _ in maps if code not in (0, DAMAGED)]
        if failed:
            files = []
        else:
            # Every map output is there: --maps makes a reduce refuse if one went missing since.
            damage_lines = {line for code, _, errors in maps if code == DAMAGED for line in errors.splitlines()}
            reduces = client.gather(client.map(reduce_bucket, [command] * a.buckets, [a.parts] * a.buckets,
                                               [len(groups)] * a.buckets, range(a.buckets), [a.out] * a.buckets,
                                               [damage_lines] * a.buckets, pure=False))
            printed = set()
            for code, _, errors in reduces:
                if code != 0:
                    # Every bucket finds a damaged or missing map output alike: its line once (a
                    # capture's damage, said by the maps already, comes back empty).
                    if errors and errors not in printed:
                        print(errors, file=sys.stderr)
                        printed.add(errors)
                    exit_code = max(exit_code, code)
            files = [path for _, path, _ in reduces if path is not None]
    if cluster:
        cluster.close()
    if failed:
        return max(failed)
    print("\n".join(files))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
