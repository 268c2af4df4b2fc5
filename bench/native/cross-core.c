/*
 * How much it costs, right now, to hand 128-byte records from one core to another: the way a
 * two-thread scan hands its decoded packets to the worker (sdk/parallel/batch-ring.ts). One
 * thread writes records into a ring of 8 slots of 4 096 records (the scan's RING_SLOTS and
 * batch size); another, on a second processor, reads a word of each 64-byte line of every slot
 * published, as the worker's touchLines does, and frees it. Prints the writer's nanoseconds of
 * CPU a record (its own thread's clock: time it was not running, or spent waiting for a free
 * slot, is left out). What the figure is in this machine's spells, and why it matters: docs/benchmarks.md,
 * "Threads and the record path", round 34.
 *
 * usage: cross-core [--ms N]   (N ms of writing, default 300; needs two processors to run on:
 *                               exit 3 without them)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 8
#define RECORDS 4096
#define RECORD_BYTES 128
#define SLOT_BYTES ((size_t)RECORDS * RECORD_BYTES)

/* Each counter on a line of its own: the two threads poll them. */
static _Alignas(128) _Atomic long published;
static _Alignas(128) _Atomic long freed;
static _Alignas(128) _Atomic int stop;
static _Alignas(128) _Atomic int readerFailed;
static uint8_t *ring;
static int readerCpu;

static double clockSeconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static int pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *reader(void *unused) {
    (void)unused;
    if (pin(readerCpu) != 0) {
        atomic_store(&readerFailed, 1);
        return NULL;
    }
    long read = 0;
    while (!atomic_load(&stop)) {
        if (atomic_load(&published) == read) continue;
        const uint8_t *slot = ring + (size_t)(read % SLOTS) * SLOT_BYTES;
        for (size_t at = 0; at < SLOT_BYTES; at += 64) (void)*(const volatile uint64_t *)(slot + at);
        atomic_store(&freed, ++read);
    }
    return NULL;
}

int main(int argc, char **argv) {
    long ms = 300;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ms") && i + 1 < argc) ms = atol(argv[++i]);
        else { fprintf(stderr, "usage: %s [--ms N]\n", argv[0]); return 2; }
    }
    if (ms <= 0) { fprintf(stderr, "--ms must be above 0\n"); return 2; }
    /* The first two processors this process may run on. */
    cpu_set_t allowed;
    int cpus[2], found = 0;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++) if (CPU_ISSET(cpu, &allowed)) cpus[found++] = cpu;
    }
    if (found < 2 || pin(cpus[0]) != 0) { fprintf(stderr, "needs two processors to run on\n"); return 3; }
    readerCpu = cpus[1];
    ring = aligned_alloc(4096, SLOTS * SLOT_BYTES);
    if (!ring) { perror("aligned_alloc"); return 1; }
    memset(ring, 0, SLOTS * SLOT_BYTES);
    pthread_t t;
    if (pthread_create(&t, NULL, reader, NULL) != 0) { perror("pthread_create"); return 1; }
    long written = 0;
    double busy = 0;
    const double end = clockSeconds(CLOCK_MONOTONIC) + ms / 1000.0;
    while (clockSeconds(CLOCK_MONOTONIC) < end && !atomic_load(&readerFailed)) {
        if (written - atomic_load(&freed) >= SLOTS) continue; /* no free slot yet */
        const double start = clockSeconds(CLOCK_THREAD_CPUTIME_ID);
        uint64_t *r = (uint64_t *)(ring + (size_t)(written % SLOTS) * SLOT_BYTES);
        for (long i = 0; i < RECORDS * RECORD_BYTES / 8; i++) r[i] = (uint64_t)(written + i);
        busy += clockSeconds(CLOCK_THREAD_CPUTIME_ID) - start;
        atomic_store(&published, ++written);
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    free(ring);
    if (atomic_load(&readerFailed)) { fprintf(stderr, "needs two processors to run on\n"); return 3; }
    if (written == 0) { fprintf(stderr, "no slot was freed in %ld ms\n", ms); return 1; }
    printf("ns_per_record=%.2f records=%ld\n", busy * 1e9 / ((double)written * RECORDS), written * RECORDS);
    return 0;
}
