/* gemm.c - the only file that includes cblas.h. */
#define _GNU_SOURCE
#include "vidclass/gemm.h"
#include "pool.h"
#include "vidclass/log.h"

#include <cblas.h>
#include <sched.h>

/* OpenBLAS extensions, declared in OpenBLAS's cblas.h; repeated here so the intent is plain. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);

void vc_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb,
              float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb,
                beta, c, ldc);
}

/* The convolutions split their rows over our own pool (src/pool.c) and call
 * single-threaded GEMMs, so OpenBLAS itself runs one thread: n pool threads, never
 * n x n BLAS threads. */
void vc_blas_set_threads(int n)
{
    vc_pool_set_threads(n < 1 ? 1 : n);
    openblas_set_num_threads(1);
}

int vc_blas_get_threads(void)
{
    return vc_pool_threads();
}

int vc_cpus_available(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n < 1 ? 1 : n;
}

const char *vc_blas_info(void)
{
    return openblas_get_config();
}

int vc_threads_choose(int requested)
{
    int cpus = vc_cpus_available();
    if (requested <= 0) return cpus;
    if (requested > cpus) {
        /* more compute threads than cores only makes them take turns (mpirun binds each rank
         * to one core by default): use what there is, and say how to get more */
        VC_LOG_WARN("--threads %d, but this process may run on %d CPU%s (its affinity mask): using %d. For %d cores "
                    "per rank launch with mpirun --map-by slot:PE=%d (or --bind-to none), or srun --cpus-per-task=%d",
                    requested, cpus, cpus > 1 ? "s" : "", cpus, requested, requested, requested);
        return cpus;
    }
    return requested;
}
