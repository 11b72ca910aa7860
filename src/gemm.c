/* gemm.c - the only file that includes cblas.h; chooses the product for constant weights. */
#define _GNU_SOURCE
#include "vidclass/gemm.h"
#include "gemm_packed.h"
#include "pool.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <cblas.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- constant weights ----------------------------------------------------------------- */

struct vc_gemm_b {
    int    count, k, n;
    int    packed; /* 1: vc_gemm_packed_pack panels; 0: row-major copies for OpenBLAS */
    size_t stride; /* floats from one matrix to the next */
    float *data;   /* 64-byte aligned */
};

int vc_gemm_choice(const char **kind)
{
    *kind = NULL;
    const char *env = getenv("VIDCLASS_GEMM");
    int want = -1; /* -1 auto, 0 blas, 1 packed */
    if (env && *env && strcmp(env, "auto") != 0) {
        if (strcmp(env, "blas") == 0) want = 0;
        else if (strcmp(env, "packed") == 0) want = 1;
        else
            return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_GEMM='%s': use packed, blas or auto", env);
    }
    const int have = vc_gemm_packed_supported();
    if (want == 1 && !have)
        return vc_error(VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=packed: this CPU lacks AVX2 or FMA (use blas or auto)");
    *kind = (want < 0 ? have : want) ? "packed" : "blas";
    return VC_OK;
}

int vc_gemm_b_create(const float *b, int count, int k, int n, vc_gemm_b **out)
{
    *out = NULL;
    if (!b || count < 1 || k < 1 || n < 1)
        return vc_error(VC_ERR_INVALID_ARG, "%s: invalid arguments", __func__);
    const char *kind;
    int rc = vc_gemm_choice(&kind);
    if (rc != VC_OK)
        return rc;
    vc_gemm_b *g = calloc(1, sizeof *g);
    if (!g)
        return vc_error(VC_ERR_NOMEM, "%s: out of memory", __func__);
    *g = (struct vc_gemm_b){ count, k, n, strcmp(kind, "packed") == 0, 0, NULL };
    g->stride = g->packed ? vc_gemm_packed_floats(k, n) : (size_t)k * n;
    size_t bytes = sizeof(float) * g->stride * (size_t)count;
    g->data = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!g->data) {
        free(g);
        return vc_error(VC_ERR_NOMEM, "%s: out of memory for %d x %d x %d weights", __func__, count, k, n);
    }
    for (int i = 0; i < count; i++) {
        const float *src = b + (size_t)i * k * n;
        if (g->packed)
            vc_gemm_packed_pack(src, k, n, g->data + (size_t)i * g->stride);
        else
            memcpy(g->data + (size_t)i * g->stride, src, sizeof(float) * (size_t)k * n);
    }
    *out = g;
    return VC_OK;
}

void vc_gemm_b_free(vc_gemm_b **b)
{
    if (!b || !*b)
        return;
    free((*b)->data);
    free(*b);
    *b = NULL;
}

void vc_gemm_b_dims(const vc_gemm_b *b, int *count, int *k, int *n)
{
    if (count) *count = b->count;
    if (k) *k = b->k;
    if (n) *n = b->n;
}

const char *vc_gemm_b_kind(const vc_gemm_b *b)
{
    return b->packed ? "packed" : "blas";
}

/* the blas product's epilogue: a second pass over the rows just written */
static void bias_relu_rows(float *c, int m, int n, int ldc, const float *bias, int relu)
{
    for (int r = 0; r < m; r++) {
        float *cr = c + (size_t)r * ldc;
        if (bias && relu) {
            for (int j = 0; j < n; j++) {
                float v = cr[j] + bias[j];
                cr[j] = v > 0.0f ? v : 0.0f;
            }
        } else if (bias) {
            for (int j = 0; j < n; j++)
                cr[j] += bias[j];
        } else if (relu) {
            for (int j = 0; j < n; j++)
                cr[j] = cr[j] > 0.0f ? cr[j] : 0.0f;
        }
    }
}

void vc_gemm_b_run(int m, const float *a, int lda, const vc_gemm_b *b, int index, float *c, int ldc,
                   const float *bias, int flags)
{
    const float *w = b->data + (size_t)index * b->stride;
    const int acc = (flags & VC_GEMM_ACCUMULATE) != 0, relu = (flags & VC_GEMM_RELU) != 0;
    VC_ASSERT(index >= 0 && index < b->count);
    if (m < 1)
        return;
    if (b->packed) {
        vc_gemm_packed_run(m, b->n, b->k, a, lda, w, c, ldc, bias, acc, relu);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, b->n, b->k, 1.0f, a, lda, w, b->n,
                acc ? 1.0f : 0.0f, c, ldc);
    bias_relu_rows(c, m, b->n, ldc, bias, relu);
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
