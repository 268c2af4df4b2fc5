/*
 * How much it costs, right now, to hand 128-byte records from one core to another: the way a
 * two-thread scan hands its decoded packets to the worker (sdk/parallel/batch-ring.ts). One
 * thread on the first processor writes records into a ring of 8 slots of 4 096 records (the
 * scan's RING_SLOTS and batch size); another on the second reads a word of each 64-byte line of
 * every slot published, as the worker's touchLines does, and frees it. Prints the writer's
 * nanoseconds a record, its waits for a free slot left out.
 *
 * On the shared 2-core machine this was written on the figure is ~3 ns in some spells and
 * ~52 ns in others, changing within seconds (README, "Threads and the record path", round 34):
 * a scan at two threads runs slower in the second kind, whatever it does. `npm run bench` runs
 * this around each round so that its figures can be read with the spell they ran in.
 *
 * usage: cross-core [--ms N]   (default 300 ms of writing; needs two processors)
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
static _Alignas(128) _Atomic int done;
static uint8_t *ring;

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
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
    if (pin(1) != 0) return (void *)1;
    long read = 0;
    uint64_t sum = 0;
    while (!atomic_load(&done)) {
        if (atomic_load(&published) == read) continue;
        const uint8_t *slot = ring + (size_t)(read % SLOTS) * SLOT_BYTES;
        for (size_t at = 0; at < SLOT_BYTES; at += 64) sum += *(const volatile uint64_t *)(slot + at);
        atomic_store(&freed, ++read);
    }
    return (void *)(uintptr_t)(sum == 1); /* keeps the loads */
}

int main(int argc, char **argv) {
    long ms = 300;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ms") && i + 1 < argc) ms = atol(argv[++i]);
        else { fprintf(stderr, "usage: %s [--ms N]\n", argv[0]); return 2; }
    }
    if (ms <= 0) { fprintf(stderr, "--ms must be above 0\n"); return 2; }
    ring = aligned_alloc(4096, SLOTS * SLOT_BYTES);
    if (!ring) { perror("aligned_alloc"); return 1; }
    memset(ring, 0, SLOTS * SLOT_BYTES);
    if (pin(0) != 0) { fprintf(stderr, "cannot run on processor 0\n"); return 3; }
    pthread_t t;
    if (pthread_create(&t, NULL, reader, NULL) != 0) { perror("pthread_create"); return 1; }
    long written = 0;
    double busy = 0;
    const double end = seconds() + ms / 1000.0;
    while (seconds() < end) {
        while (written - atomic_load(&freed) >= SLOTS) {}
        const double start = seconds();
        uint64_t *r = (uint64_t *)(ring + (size_t)(written % SLOTS) * SLOT_BYTES);
        for (long i = 0; i < RECORDS * RECORD_BYTES / 8; i++) r[i] = (uint64_t)(written + i);
        busy += seconds() - start;
        atomic_store(&published, ++written);
    }
    atomic_store(&done, 1);
    void *failed;
    pthread_join(t, &failed);
    if (failed == (void *)1) { fprintf(stderr, "cannot run on processor 1\n"); return 3; }
    printf("ns_per_record=%.2f records=%ld\n", busy * 1e9 / ((double)written * RECORDS), written * RECORDS);
    return 0;
}
