/* pool.c - persistent worker threads woken by a generation counter. */
#include "pool.h"

#include <pthread.h>

#define POOL_MAX 256

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_go = PTHREAD_COND_INITIALIZER, g_done = PTHREAD_COND_INITIALIZER;
static int g_threads = 1, g_started = 0, g_pending = 0;
static unsigned long g_generation = 0;
static vc_pool_fn g_fn;
static void *g_arg;
static int g_n; /* threads taking part in the current run */

static void *worker(void *p)
{
    int id = (int)(long)p;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&g_mu);
        while (g_generation == seen) pthread_cond_wait(&g_go, &g_mu);
        seen = g_generation;
        int n = g_n;
        vc_pool_fn fn = g_fn;
        void *arg = g_arg;
        pthread_mutex_unlock(&g_mu);
        if (id < n) {
            fn(id, n, arg);
            pthread_mutex_lock(&g_mu);
            if (--g_pending == 0) pthread_cond_signal(&g_done);
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
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &a, worker, (void *)(long)(g_started + 1)) != 0) {
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
    g_pending = n - 1;
    g_generation++;
    pthread_cond_broadcast(&g_go);
    pthread_mutex_unlock(&g_mu);
    fn(0, n, arg);
    pthread_mutex_lock(&g_mu);
    while (g_pending > 0) pthread_cond_wait(&g_done, &g_mu);
    pthread_mutex_unlock(&g_mu);
}
