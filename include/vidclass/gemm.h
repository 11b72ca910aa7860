/*
 * vidclass/gemm.h - the single doorway to matrix products (OpenBLAS, or our packed AVX-512
 * and AVX2 kernels for constant weights, in fp32 or bf16) and the compute thread count.
 *
 * All matrices are row-major float32. Only this module includes <cblas.h>.
 * Thread count: vc_blas_set_threads() must be called explicitly by every tool (from
 * --threads / the config); the default is the number of CPUs this process may run on
 * (sched_getaffinity), so several MPI ranks bound to their own cores do not oversubscribe.
 */
#ifndef VIDCLASS_GEMM_H
#define VIDCLASS_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** C[M,N] = alpha * op(A) * op(B) + beta * C, row-major; op = transpose when trans_x != 0. */
void vc_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb,
              float beta, float *c, int ldc);

/* ---- precision ---------------------------------------------------------------------------
 * The arithmetic of the products for constant weights (the network's convolutions):
 *   fp32 - float32 throughout: the default, and the only one that matches the reference;
 *   bf16 - weights and activations rounded to bfloat16 (8-bit mantissa) for the products,
 *          sums, bias, residuals and ReLU in float32. About twice as fast where the CPU
 *          has AMX-BF16; with AVX512_BF16 alone slower than fp32 on Intel cores
 *          (vc_precision_note); refused on CPUs without either;
 *   int8 - weights to signed bytes per column, activations to unsigned bytes per row (both
 *          per K slice of 512), sums exact in int32 then scaled back to float32; bias,
 *          residuals and ReLU in float32. Needs AVX512_VNNI or AMX-INT8; refused elsewhere. */
enum vc_precision {
    VC_PRECISION_FP32 = 0,
    VC_PRECISION_BF16 = 1,
    VC_PRECISION_INT8 = 2,
};

/** "fp32", "bf16" or "int8" -> *out; VC_ERR_INVALID_ARG with a message otherwise. */
int vc_precision_parse(const char *s, enum vc_precision *out);

/** "fp32", "bf16" or "int8" (static). */
const char *vc_precision_name(enum vc_precision p);

/** VC_OK if this CPU can run products of precision p (with the VIDCLASS_GEMM choice in
 *  effect), else VC_ERR_UNSUPPORTED / VC_ERR_INVALID_ARG with a message that names what
 *  is missing and what to use instead. */
int vc_precision_check(enum vc_precision p);

/** A warning for users who chose precision p, or NULL: where p's product on this CPU was
 *  measured slower than fp32 (bf16 on vdpbf16ps on an Intel CPU: it issues at half the
 *  rate of fp32 FMAs there, bench/fma_peak --dot; on a CPU with AMX that happens only when
 *  VIDCLASS_GEMM=avx512bf16 forces it, and the text says AMX is there). Static text. */
const char *vc_precision_note(enum vc_precision p);

/* ---- constant weights: prepared once, multiplied many times ------------------------------
 * A vc_gemm_b holds `count` K x N row-major matrices (a layer's weights; Winograd's alpha^2
 * transformed kernels) prepared for the fastest product of the requested precision this
 * CPU has, chosen when it is made:
 *   fp32: avx512     - our AVX-512F kernel (8 x 32 register tiles) on weights packed at load
 *                      into 32-column panels, bias / residual / ReLU applied in registers;
 *         avx2       - the same scheme with 6 x 16 AVX2 + FMA tiles and 16-column panels;
 *         blas       - OpenBLAS sgemm on a plain copy, then the epilogue in a second pass.
 *   bf16: amx        - AMX-BF16 tiles (32 x 32 of C per tile step), weights packed in bf16;
 *         avx512bf16 - vdpbf16ps in 8 x 32 register tiles, the same packed weights.
 *   int8: amx-int8   - AMX-INT8 tiles (32 x 32 of C per tile step), weights quantised at load;
 *         avx512vnni - vpdpbusd in 8 x 32 register tiles, the same packed weights.
 * VIDCLASS_GEMM=<one of those>|packed|auto forces one (default auto: the first of the
 * precision's list the CPU has; packed: the first of ours, for fp32 avx512 or avx2); an
 * unknown value, a kernel of another precision, or one the CPU lacks is refused by
 * vc_gemm_b_create. Source files: src/gemm.c (the choice), src/gemm_packed.c,
 * src/gemm_bf16.c and src/gemm_int8.c (packing, blocking), src/gemm_kernel_<isa>.c (one
 * register tile each). */
typedef struct vc_gemm_b vc_gemm_b;

/** Flags for vc_gemm_b_run (the same bits as VC_CONV_ACCUMULATE / VC_CONV_RELU). */
enum vc_gemm_flags {
    VC_GEMM_ACCUMULATE = 1, /* C += A B instead of C = A B */
    VC_GEMM_RELU       = 2, /* max(0, .) after bias and accumulation */
};

/** Copy/pack `count` matrices b[count][k][n] for products of precision p into a new handle
 *  (*out, owned by the caller). */
int vc_gemm_b_create(const float *b, int count, int k, int n, enum vc_precision p, vc_gemm_b **out);

/** As vc_gemm_b_create with the precision's automatic choice, whatever VIDCLASS_GEMM says
 *  (the fp32 layers of an int8 network, where VIDCLASS_GEMM names the int8 kernel). */
int vc_gemm_b_create_auto(const float *b, int count, int k, int n, enum vc_precision p, vc_gemm_b **out);

/** Free the handle and set *b to NULL (NULL-safe). */
void vc_gemm_b_free(vc_gemm_b **b);

/** Dimensions of the handle's matrices. */
void vc_gemm_b_dims(const vc_gemm_b *b, int *count, int *k, int *n);

/** "avx512", "avx2", "blas", "amx", "avx512bf16", "amx-int8" or "avx512vnni": the product this handle uses. */
const char *vc_gemm_b_kind(const vc_gemm_b *b);

/** Rows of the product's register tile (6 avx2, 8 avx512, avx512bf16 and avx512vnni, 32 amx and amx-int8; 6 for
 *  blas): callers that choose their row counts make them multiples of it. */
int vc_gemm_b_tile_rows(const vc_gemm_b *b);

/** The precision the handle's weights were prepared for. */
enum vc_precision vc_gemm_b_precision(const vc_gemm_b *b);

/** The product vc_gemm_b_create would choose now for precision p: *kind as vc_gemm_b_kind
 *  (static). VC_ERR_INVALID_ARG / VC_ERR_UNSUPPORTED when VIDCLASS_GEMM asks for something
 *  unknown, of the other precision, or something this CPU cannot do (message says which). */
int vc_gemm_choice(enum vc_precision p, const char **kind);

/** c[m][n] (row stride ldc) = a[m][k] (row stride lda) x b's matrix `index` (+ c with
 *  VC_GEMM_ACCUMULATE), + bias[n] if bias, then ReLU with VC_GEMM_RELU. Single-threaded;
 *  c must not overlap a. */
void vc_gemm_b_run(int m, const float *a, int lda, const vc_gemm_b *b, int index, float *c, int ldc,
                   const float *bias, int flags);

/** 1 if vc_gemm_b_run_pieces takes b (matrix 0): our fp32 packed product, with b's K in one
 *  of its slices and B small enough to stay in L2; 0 otherwise (OpenBLAS, bf16, int8). */
int vc_gemm_b_pieces_ok(const vc_gemm_b *b);

/** vc_gemm_b_run on matrix 0 with A's rows in pieces, read in place: row i's element j is
 *  a[i * rs + (j / seg) * seg_stride + j % seg] (K a multiple of seg). A convolution's patch
 *  rows straight from its (padded) input, one piece per kernel row, instead of copied.
 *  Needs vc_gemm_b_pieces_ok. */
void vc_gemm_b_run_pieces(int m, const float *a, int rs, int seg, size_t seg_stride, const vc_gemm_b *b, float *c,
                          int ldc, const float *bias, int flags);

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
