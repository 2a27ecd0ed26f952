/*
 * parallel.h - a tiny parallel-for over pthreads for the core's long loops (internal header).
 * cffi releases the GIL during a call, so these threads run beside Python's.
 */
#ifndef TICKETKING_PARALLEL_H
#define TICKETKING_PARALLEL_H

#include <stddef.h>

/* Work on items [begin, end) of a job described by ctx. */
typedef void (*parallel_task)(void *ctx, size_t begin, size_t end);

/* Threads to use for `requested` (0 = every online CPU), never more than `work_items`. */
int parallel_threads(int requested, size_t work_items);

/* Split [0, n) into `threads` contiguous chunks and run task on each; the calling thread
 * takes the first chunk. Falls back to one thread if a thread cannot be started. */
void parallel_for(size_t n, int threads, parallel_task task, void *ctx);

#endif /* TICKETKING_PARALLEL_H */
