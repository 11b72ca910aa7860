/* pool.h - vidclass internal: a small persistent thread pool for the compute kernels.
 *
 * vc_pool_run(n, fn, arg) calls fn(i, n, arg) for i = 0..n-1 on n threads (the caller is
 * thread 0) and returns when all are done. Threads are created on first use and kept.
 * Not re-entrant: one vc_pool_run at a time per process (the forward pass). */
#ifndef VIDCLASS_POOL_H
#define VIDCLASS_POOL_H

#include <stdatomic.h>
#include <stddef.h>

typedef void (*vc_pool_fn)(int i, int n, void *arg);

/* Number of threads used by vc_pool_run (>= 1). */
void vc_pool_set_threads(int n);
int  vc_pool_threads(void);

void vc_pool_run(vc_pool_fn fn, void *arg);

/* fn over the pool when there are at least as many items as threads (every part gets
 * some), else on the calling thread alone as the only part. */
static inline void vc_pool_run_items(vc_pool_fn fn, void *arg, size_t items)
{
    if (vc_pool_threads() > 1 && items >= (size_t)vc_pool_threads())
        vc_pool_run(fn, arg);
    else
        fn(0, 1, arg);
}

/* Where part i of `total` items split n ways begins (part i is [share(i), share(i + 1))):
 * the even split every vc_pool_fn uses. */
static inline size_t vc_pool_share(size_t total, int i, int n)
{
    return total * (size_t)i / (size_t)n;
}

/* A part's next items [*lo, *hi), step at a time: with a shared counter (next, 0 before the
 * pool step, every part drawing from [0, end)), so a thread the machine slows down (the other
 * vCPU's neighbours, steal time) takes fewer instead of leaving the others idle at the end;
 * without one (next NULL), the next step of the part's own share, *cursor up to end. 0 when
 * none are left. */
static inline int vc_pool_next(atomic_size_t *next, size_t *cursor, size_t end, size_t step, size_t *lo,
                               size_t *hi)
{
    if (next) {
        *lo = atomic_fetch_add_explicit(next, step, memory_order_relaxed);
    } else {
        *lo = *cursor;
        *cursor += step;
    }
    if (*lo >= end)
        return 0;
    *hi = *lo + step < end ? *lo + step : end;
    return 1;
}

#endif
