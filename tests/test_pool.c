/* test_pool.c - the compute thread pool (src/pool.c): every part of every step runs exactly
 * once, on distinct threads, and the step is complete when vc_pool_run returns; across
 * thread counts that go up and down (workers past a step's count sit it out), steps of no
 * work (the spinning hand-over) and steps longer than the spin (the sleeping one). */
#include "test_util.h"
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_PARTS 8

struct step {
    atomic_int runs[MAX_PARTS]; /* how often part i ran                 */
    int n_seen[MAX_PARTS];      /* the n each part was given            */
    pthread_t who[MAX_PARTS];   /* the thread that ran it               */
    long sleep_ns;              /* work per part: 0, or past the spin   */
};

static void part(int i, int n, void *arg)
{
    struct step *s = arg;
    if (s->sleep_ns) {
        struct timespec ts = { 0, s->sleep_ns };
        nanosleep(&ts, NULL);
    }
    if (i >= 0 && i < MAX_PARTS) {
        s->n_seen[i] = n;
        s->who[i] = pthread_self();
        atomic_fetch_add(&s->runs[i], 1);
    }
}

static int run_steps(int threads, int steps, long sleep_ns)
{
    int bad = 0;
    vc_pool_set_threads(threads);
    for (int k = 0; k < steps; k++) {
        struct step s = { .sleep_ns = sleep_ns };
        for (int i = 0; i < MAX_PARTS; i++)
            atomic_init(&s.runs[i], 0);
        vc_pool_run(part, &s);
        /* returned: every part of this step has run once, no part beyond the count */
        for (int i = 0; i < MAX_PARTS; i++) {
            const int want = i < threads ? 1 : 0, got = atomic_load(&s.runs[i]);
            if (got != want || (want && s.n_seen[i] != threads)) {
                if (bad++ < 5)
                    fprintf(stderr, "threads %d step %d part %d: ran %d times (want %d), n %d\n", threads, k, i,
                            got, want, s.n_seen[i]);
            }
        }
        for (int i = 0; i < threads; i++)
            for (int j = i + 1; j < threads; j++)
                if (pthread_equal(s.who[i], s.who[j]) && bad++ < 5)
                    fprintf(stderr, "threads %d step %d: parts %d and %d on one thread\n", threads, k, i, j);
    }
    return bad;
}

int main(void)
{
    /* up, down, and up again: workers created late, workers sitting steps out */
    static const int counts[] = { 2, 4, 3, 1, 2, 8, 2, 5, 1, 4 };
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        const int t = counts[c];
        CHECK(run_steps(t, 3000, 0) == 0, "%d threads, 3000 empty steps", t);
        CHECK(run_steps(t, 20, 300000) == 0, "%d threads, 20 steps of 0.3 ms (sleeping hand-over)", t);
        CHECK(vc_pool_threads() == t, "vc_pool_threads %d after set %d", vc_pool_threads(), t);
    }
    return test_finish("test_pool");
}
