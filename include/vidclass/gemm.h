/*
 * vidclass/gemm.h - the single doorway to matrix products (OpenBLAS, or our packed AVX-512
 * and AVX2 kernels for constant weights) and the compute thread count.
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

/* ---- constant weights: prepared once, multiplied many times ------------------------------
 * A vc_gemm_b holds `count` K x N row-major matrices (a layer's weights; Winograd's alpha^2
 * transformed kernels) prepared for the fastest product this CPU has, chosen when it is made:
 *   avx512 - our AVX-512F kernel (8 x 32 register tiles) on weights packed at load into
 *            32-column panels, bias / residual / ReLU applied in registers;
 *   avx2   - the same scheme with 6 x 16 AVX2 + FMA tiles and 16-column panels;
 *   blas   - OpenBLAS sgemm on a plain copy, then the epilogue in a second pass.
 * VIDCLASS_GEMM=avx512|avx2|blas|packed|auto forces one (default auto: the first of avx512,
 * avx2, blas the CPU has; packed: the first of avx512, avx2); an unknown value, or a kernel
 * the CPU lacks, is refused by vc_gemm_b_create. Source files: src/gemm.c (the choice),
 * src/gemm_packed.c (packing, blocking), src/gemm_kernel_<isa>.c (one register tile each). */
typedef struct vc_gemm_b vc_gemm_b;

/** Flags for vc_gemm_b_run (the same bits as VC_CONV_ACCUMULATE / VC_CONV_RELU). */
enum vc_gemm_flags {
    VC_GEMM_ACCUMULATE = 1, /* C += A B instead of C = A B */
    VC_GEMM_RELU       = 2, /* max(0, .) after bias and accumulation */
};

/** Copy/pack `count` matrices b[count][k][n] into a new handle (*out, owned by the caller). */
int vc_gemm_b_create(const float *b, int count, int k, int n, vc_gemm_b **out);

/** Free the handle and set *b to NULL (NULL-safe). */
void vc_gemm_b_free(vc_gemm_b **b);

/** Dimensions of the handle's matrices. */
void vc_gemm_b_dims(const vc_gemm_b *b, int *count, int *k, int *n);

/** "avx512", "avx2" or "blas": the product this handle uses. */
const char *vc_gemm_b_kind(const vc_gemm_b *b);

/** The product vc_gemm_b_create would choose now: *kind = "avx512", "avx2" or "blas" (static).
 *  VC_ERR_INVALID_ARG / VC_ERR_UNSUPPORTED when VIDCLASS_GEMM asks for something unknown or
 *  something this CPU cannot do. */
int vc_gemm_choice(const char **kind);

/** c[m][n] (row stride ldc) = a[m][k] (row stride lda) x b's matrix `index` (+ c with
 *  VC_GEMM_ACCUMULATE), + bias[n] if bias, then ReLU with VC_GEMM_RELU. Single-threaded;
 *  c must not overlap a. */
void vc_gemm_b_run(int m, const float *a, int lda, const vc_gemm_b *b, int index, float *c, int ldc,
                   const float *bias, int flags);

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
