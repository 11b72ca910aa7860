/*
 * vidclass/gemm.h - the single doorway to BLAS (OpenBLAS) and its thread count.
 *
 * All matrices are row-major float32. Only this module includes <cblas.h>.
 * Thread count: vc_blas_set_threads() must be called explicitly by every tool (from
 * --threads / the config); the default is the number of CPUs this process may run on
 * (sched_getaffinity), so several MPI ranks bound to their own cores do not oversubscribe.
 */
#ifndef VIDCLASS_GEMM_H
#define VIDCLASS_GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/** C[M,N] = alpha * op(A) * op(B) + beta * C, row-major; op = transpose when trans_x != 0. */
void vc_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb,
              float beta, float *c, int ldc);

/** Set the BLAS thread count (n >= 1). */
void vc_blas_set_threads(int n);

/** Current BLAS thread count. */
int vc_blas_get_threads(void);

/** CPUs this process may run on (affinity mask), at least 1. */
int vc_cpus_available(void);

/** The compute threads to use for a --threads value: all CPUs of the affinity mask for
 *  requested <= 0; for more than the mask holds, a warning with the launch options that give
 *  a rank more cores, and the CPUs there are. */
int vc_threads_choose(int requested);

/** Name of the BLAS build in use (e.g. OpenBLAS's config string). Borrowed, static. */
const char *vc_blas_info(void);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_GEMM_H */
