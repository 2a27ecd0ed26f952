/* parallel.c - see parallel.h. */
#include "parallel.h"

#include <pthread.h>
#include <unistd.h>

#define PARALLEL_MAX_THREADS 64

struct chunk {
    parallel_task task;
    void *ctx;
    size_t begin, end;
};

static void *run_chunk(void *arg) {
    struct chunk *c = arg;
    c->task(c->ctx, c->begin, c->end);
    return NULL;
}

int parallel_threads(int requested, size_t work_items) {
    long t = requested;
    if (t <= 0) {
        t = sysconf(_SC_NPROCESSORS_ONLN);
        if (t < 1) t = 1;
    }
    if (t > PARALLEL_MAX_THREADS) t = PARALLEL_MAX_THREADS;
    if ((size_t)t > work_items) t = work_items > 0 ? (long)work_items : 1;
    return (int)t;
}

void parallel_for(size_t n, int threads, parallel_task task, void *ctx) {
    if (threads < 1) threads = 1;
    if (threads > PARALLEL_MAX_THREADS) threads = PARALLEL_MAX_THREADS;
    if (threads == 1 || n < 2) {
        task(ctx, 0, n);
        return;
    }
    struct chunk chunks[PARALLEL_MAX_THREADS];
    pthread_t ids[PARALLEL_MAX_THREADS];
    int started[PARALLEL_MAX_THREADS] = {0};
    for (int i = 0; i < threads; i++) {
        chunks[i] = (struct chunk){task, ctx, n * (size_t)i / threads,
                                   n * (size_t)(i + 1) / threads};
    }
    for (int i = 1; i < threads; i++)
        started[i] = pthread_create(&ids[i], NULL, run_chunk, &chunks[i]) == 0;
    run_chunk(&chunks[0]);
    for (int i = 1; i < threads; i++) {
        if (started[i]) pthread_join(ids[i], NULL);
        else run_chunk(&chunks[i]); /* could not start a thread: do its share here */
    }
}
