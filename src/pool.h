/* pool.h - vidclass internal: a small persistent thread pool for the compute kernels.
 *
 * vc_pool_run(n, fn, arg) calls fn(i, n, arg) for i = 0..n-1 on n threads (the caller is
 * thread 0) and returns when all are done. Threads are created on first use and kept.
 * Not re-entrant: one vc_pool_run at a time per process (the forward pass). */
#ifndef VIDCLASS_POOL_H
#define VIDCLASS_POOL_H

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

#endif
