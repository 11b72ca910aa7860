/* fma_peak.c [THREADS] - the measured fp32 FMA peak of this CPU: each thread runs
 * independent chains of fused multiply-adds (enough to cover the FMA latency on two
 * ports) on the widest vectors the CPU has (AVX-512 or AVX2+FMA, chosen at run time),
 * best of 5. Prints "fma_peak isa=... threads=T gflops=X" for 1 thread and for THREADS
 * (default: the CPUs of the affinity mask). bench.sh divides by it for "% of peak":
 * a base-clock formula misses turbo, so a measured probe is the honest denominator. */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERS 20000000L
#define CHAINS 12

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

__attribute__((target("avx2,fma"))) static float chains_avx2(long iters)
{
    __m256 acc[CHAINS], b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int k = 0; k < CHAINS; k++) acc[k] = _mm256_set1_ps((float)k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++) acc[k] = _mm256_fmadd_ps(acc[k], b, c);
    __m256 s = acc[0];
    for (int k = 1; k < CHAINS; k++) s = _mm256_add_ps(s, acc[k]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

__attribute__((target("avx512f"))) static float chains_avx512(long iters)
{
    __m512 acc[CHAINS], b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int k = 0; k < CHAINS; k++) acc[k] = _mm512_set1_ps((float)k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++) acc[k] = _mm512_fmadd_ps(acc[k], b, c);
    __m512 s = acc[0];
    for (int k = 1; k < CHAINS; k++) s = _mm512_add_ps(s, acc[k]);
    return _mm512_reduce_add_ps(s);
}

static int wide; /* 1: AVX-512 */
static volatile float sink;

static void *worker(void *arg)
{
    long iters = *(long *)arg;
    sink = wide ? chains_avx512(iters) : chains_avx2(iters);
    return NULL;
}

static double gflops(int threads)
{
    double best = 0;
    long iters = ITERS / (wide ? 2 : 1);
    for (int rep = 0; rep < 5; rep++) {
        pthread_t th[256];
        double t0 = now();
        for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, &iters);
        for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
        double dt = now() - t0;
        double flop = 2.0 * (wide ? 16 : 8) * CHAINS * (double)iters * threads;
        if (flop / dt / 1e9 > best) best = flop / dt / 1e9;
    }
    return best;
}

int main(int argc, char **argv)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        fprintf(stderr, "fma_peak: this CPU has no AVX2+FMA\n");
        return 1;
    }
    wide = __builtin_cpu_supports("avx512f");
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    int threads = argc > 1 ? atoi(argv[1]) : cpus;
    if (threads < 1 || threads > 256) threads = cpus;
    const char *isa = wide ? "avx512" : "avx2";
    printf("fma_peak isa=%s threads=1 gflops=%.1f\n", isa, gflops(1));
    if (threads > 1) printf("fma_peak isa=%s threads=%d gflops=%.1f\n", isa, threads, gflops(threads));
    return 0;
}
