/* pool.c - persistent worker threads woken by a generation counter.
 *
 * A forward pass runs ~70 short parallel steps (one per convolution or Winograd phase), each
 * started microseconds after the last. Waking a sleeping thread through the kernel costs
 * tens of microseconds per step on a VM, and a thread that finished its share early waits
 * for the slowest one, up to hundreds of microseconds at batch 8; so both sides first spin
 * on the atomic counters for up to POOL_SPIN_S (by the clock: a pause instruction takes
 * 15 ns on Emerald Rapids and 140 cycles on Skylake) and only then sleep on the condition
 * variables. A spinning thread yields the CPU now and then, so a rank sharing the core
 * (oversubscribed) still runs; between passes the threads sleep as before.
 * Every started worker acknowledges every step (those past the step's thread count without
 * running it), so none can lag a step behind and read the next step's job. */
#include "pool.h"
#include "vidclass/log.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define POOL_MAX 256
/* Spin budget before sleeping: against the old 2000 pauses (31 us here), in one process on
 * Emerald Rapids at 2 threads, 1 ms made the pass 1.14-1.47x faster at batch 1, 1.05-1.23x
 * at batch 8, level at 32 (bench/products --vary, docs/performance.md 2026-12-03). */
#define POOL_SPIN_S 1e-3 /* seconds */
#define SPIN_CLOCK 63    /* the clock is read every 64 pauses             */
#define SPIN_YIELD 4095  /* and the CPU yielded every 4096 (~60 us here) */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_go = PTHREAD_COND_INITIALIZER, g_done = PTHREAD_COND_INITIALIZER;
static int g_threads = 1, g_started = 0;
static atomic_ulong g_generation; /* bumped (release) after the step's job below is set */
static atomic_int g_pending;      /* started workers that have not finished the step yet */
static vc_pool_fn g_fn;           /* the step's job: written only while no worker runs  */
static void *g_arg;
static int g_n;                   /* threads taking part in the step                    */
static unsigned long g_born[POOL_MAX]; /* the generation current when worker i was created */

struct spin {
    long   n;
    double t0; /* vc_time_now() at the first reading */
};

/* One more pause of a spin-wait: 1 while its time lasts, 0 when the caller should sleep. */
static int spin_more(struct spin *s)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (++s->n & SPIN_CLOCK)
        return 1;
    if ((s->n & SPIN_YIELD) == 0)
        sched_yield();
    const double t = vc_time_now();
    if (s->n == SPIN_CLOCK + 1) {
        s->t0 = t;
        return 1;
    }
    return t - s->t0 < POOL_SPIN_S;
}

/* The first generation after `seen`: spin, then sleep until vc_pool_run bumps it. */
static unsigned long next_generation(unsigned long seen)
{
    unsigned long g;
    struct spin sp = { 0 };
    do {
        if ((g = atomic_load_explicit(&g_generation, memory_order_acquire)) != seen)
            return g;
    } while (spin_more(&sp));
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
    struct spin sp = { 0 };
    do {
        if (atomic_load_explicit(&g_pending, memory_order_acquire) == 0)
            return;
    } while (spin_more(&sp));
    pthread_mutex_lock(&g_mu);
    while (atomic_load_explicit(&g_pending, memory_order_acquire) > 0)
        pthread_cond_wait(&g_done, &g_mu);
    pthread_mutex_unlock(&g_mu);
}
