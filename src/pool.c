/* pool.c - persistent worker threads woken by a generation counter.
 *
 * A forward pass runs ~70 short parallel steps (one per convolution or Winograd phase), each
 * started microseconds after the last. Waking a sleeping thread through the kernel costs
 * ~20 us per step on a VM, so both sides first spin a bounded while (POOL_SPIN pauses, tens
 * of microseconds) on the atomic counters and only then sleep on the condition variables:
 * between passes, and when ranks oversubscribe the cores, the threads sleep as before.
 * Every started worker acknowledges every step (those past the step's thread count without
 * running it), so none can lag a step behind and read the next step's job. */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>

#define POOL_MAX 256
#define POOL_SPIN 2000 /* pause instructions before sleeping */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_go = PTHREAD_COND_INITIALIZER, g_done = PTHREAD_COND_INITIALIZER;
static int g_threads = 1, g_started = 0;
static atomic_ulong g_generation; /* bumped (release) after the step's job below is set */
static atomic_int g_pending;      /* started workers that have not finished the step yet */
static vc_pool_fn g_fn;           /* the step's job: written only while no worker runs  */
static void *g_arg;
static int g_n;                   /* threads taking part in the step                    */
static unsigned long g_born[POOL_MAX]; /* the generation current when worker i was created */

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The first generation after `seen`: spin, then sleep until vc_pool_run bumps it. */
static unsigned long next_generation(unsigned long seen)
{
    unsigned long g;
    for (int s = 0; s < POOL_SPIN; s++) {
        if ((g = atomic_load_explicit(&g_generation, memory_order_acquire)) != seen)
            return g;
        relax();
    }
    pthread_mutex_lock(&g_mu);
    while ((g = atomic_load_explicit(&g_generation, memory_order_acquire)) == seen)
        pthread_cond_wait(&g_go, &g_mu);
    pthread_mutex_unlock(&g_mu);
    return g;
}

static void *worker(void *p)
{
    const int id = (int)(long)p;
    unsigned long seen = g_born[id];
    for (;;) {
        seen = next_generation(seen);
        if (id < g_n)
            g_fn(id, g_n, g_arg);
        if (atomic_fetch_sub_explicit(&g_pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&g_mu); /* the caller may be asleep: signal under the lock */
            pthread_cond_signal(&g_done);
            pthread_mutex_unlock(&g_mu);
        }
    }
    return NULL;
}

void vc_pool_set_threads(int n)
{
    pthread_mutex_lock(&g_mu);
    g_threads = n < 1 ? 1 : n > POOL_MAX ? POOL_MAX : n;
    pthread_mutex_unlock(&g_mu);
}

int vc_pool_threads(void)
{
    return g_threads;
}

void vc_pool_run(vc_pool_fn fn, void *arg)
{
    int n = g_threads;
    if (n <= 1) {
        fn(0, 1, arg);
        return;
    }
    pthread_mutex_lock(&g_mu);
    while (g_started < n - 1) { /* workers 1..n-1, created once and kept */
        pthread_t t;
        pthread_attr_t a;
        const int id = g_started + 1;
        g_born[id] = atomic_load_explicit(&g_generation, memory_order_relaxed);
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &a, worker, (void *)(long)id) != 0) {
            pthread_attr_destroy(&a);
            break;
        }
        pthread_attr_destroy(&a);
        g_started++;
    }
    if (n - 1 > g_started) n = g_started + 1; /* could not create all: use what we have */
    g_fn = fn;
    g_arg = arg;
    g_n = n;
    atomic_store_explicit(&g_pending, g_started, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_generation, 1, memory_order_release);
    pthread_cond_broadcast(&g_go);
    pthread_mutex_unlock(&g_mu);
    fn(0, n, arg);
    for (int s = 0; s < POOL_SPIN; s++) {
        if (atomic_load_explicit(&g_pending, memory_order_acquire) == 0)
            return;
        relax();
    }
    pthread_mutex_lock(&g_mu);
    while (atomic_load_explicit(&g_pending, memory_order_acquire) > 0)
        pthread_cond_wait(&g_done, &g_mu);
    pthread_mutex_unlock(&g_mu);
}
