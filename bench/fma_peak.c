/* fma_peak.c [THREADS] [--dot] - the measured fp32 FMA peak of this CPU: each thread runs
 * independent chains of fused multiply-adds (enough to cover the FMA latency on two
 * ports) on the widest vectors the CPU has (AVX-512 or AVX2+FMA, chosen at run time),
 * best of 5. Prints "fma_peak isa=... threads=T gflops=X" for 1 thread and for THREADS
 * (default: the CPUs of the affinity mask). bench.sh divides by it for "% of peak":
 * a base-clock formula misses turbo, so a measured probe is the honest denominator.
 * --dot: also the reduced-precision dot products on 1 thread where the CPU has them,
 * "dot_peak isa=avx512bf16 threads=1 gflops=X" (vdpbf16ps: 32 bf16 multiply-adds into
 * float) and "dot_peak isa=avx512vnni threads=1 gops=X" (vpdpbusd: 64 u8 x s8 into int32):
 * whether they multiply faster than fp32 FMAs on this core (2 ops per multiply-add). */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

__attribute__((target("avx512f,avx512bf16"))) static float chains_bf16(long iters)
{
    __m512 acc[CHAINS];
    const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80), b = (__m512bh)_mm512_set1_epi16(0x3380); /* 1, ~6e-8 */
    for (int k = 0; k < CHAINS; k++) acc[k] = _mm512_set1_ps((float)k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++) acc[k] = _mm512_dpbf16_ps(acc[k], a, b);
    __m512 s = acc[0];
    for (int k = 1; k < CHAINS; k++) s = _mm512_add_ps(s, acc[k]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx512f,avx512vnni"))) static float chains_vnni(long iters)
{
    __m512i acc[CHAINS];
    const __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(-1);
    for (int k = 0; k < CHAINS; k++) acc[k] = _mm512_set1_epi32(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++) acc[k] = _mm512_dpbusd_epi32(acc[k], a, b);
    __m512i s = acc[0];
    for (int k = 1; k < CHAINS; k++) s = _mm512_add_epi32(s, acc[k]);
    return (float)_mm512_reduce_add_epi32(s);
}

static volatile float sink;

/* one thread, best of 5: 2 ops per multiply-add, `macs` multiply-adds per instruction */
static double dot_peak(float (*chains)(long), int macs)
{
    double best = 0;
    const long iters = ITERS / 2;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        sink = chains(iters);
        double dt = now() - t0, ops = 2.0 * macs * CHAINS * (double)iters;
        if (ops / dt / 1e9 > best) best = ops / dt / 1e9;
    }
    return best;
}

static int wide; /* 1: AVX-512 */

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
    int threads = cpus, dot = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dot") == 0) dot = 1;
        else threads = atoi(argv[i]);
    }
    if (threads < 1 || threads > 256) threads = cpus;
    const char *isa = wide ? "avx512" : "avx2";
    printf("fma_peak isa=%s threads=1 gflops=%.1f\n", isa, gflops(1));
    if (threads > 1) printf("fma_peak isa=%s threads=%d gflops=%.1f\n", isa, threads, gflops(threads));
    if (dot && wide && __builtin_cpu_supports("avx512bf16"))
        printf("dot_peak isa=avx512bf16 threads=1 gflops=%.1f\n", dot_peak(chains_bf16, 32));
    if (dot && wide && __builtin_cpu_supports("avx512vnni"))
        printf("dot_peak isa=avx512vnni threads=1 gops=%.1f\n", dot_peak(chains_vnni, 64));
    return 0;
}
