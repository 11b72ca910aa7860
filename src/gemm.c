/* gemm.c - the only file that includes cblas.h; chooses the product for constant weights
 * (fp32: src/gemm_packed.c or OpenBLAS; bf16: src/gemm_bf16.c; int8: src/gemm_int8.c). */
#define _GNU_SOURCE
#include "vidclass/gemm.h"
#include "gemm_bf16.h"
#include "gemm_int8.h"
#include "gemm_packed.h"
#include "gemm_rounded.h"
#include "pool.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <cblas.h>
#include <sched.h>
#include <stdint.h>
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

/* ---- precision ------------------------------------------------------------------------- */

int vc_precision_parse(const char *s, enum vc_precision *out)
{
    if (s && strcmp(s, "fp32") == 0) {
        *out = VC_PRECISION_FP32;
        return VC_OK;
    }
    if (s && strcmp(s, "bf16") == 0) {
        *out = VC_PRECISION_BF16;
        return VC_OK;
    }
    if (s && strcmp(s, "int8") == 0) {
        *out = VC_PRECISION_INT8;
        return VC_OK;
    }
    return vc_error(VC_ERR_INVALID_ARG, "precision '%s': use fp32 (the default), bf16 or int8", s ? s : "(null)");
}

const char *vc_precision_name(enum vc_precision p)
{
    return p == VC_PRECISION_BF16 ? "bf16" : p == VC_PRECISION_INT8 ? "int8" : "fp32";
}

/* ---- constant weights ----------------------------------------------------------------- */

struct vc_gemm_b {
    int    count, k, n;
    enum vc_precision precision;
    const vc_packed_kernel *kernel; /* fp32: our packed kernel, or NULL: row-major copies for OpenBLAS */
    const vc_bf16_kernel   *bf16;   /* bf16: the kernel (never NULL for bf16)                         */
    const vc_int8_kernel   *int8;   /* int8: the kernel (never NULL for int8)                         */
    size_t stride;                  /* elements (floats, bf16 values or bytes) from one matrix to the next */
    void  *data;                    /* 64-byte aligned                                                 */
};

/* A product: the kernel of its precision (fp32: NULL kernel = OpenBLAS). */
struct product {
    const vc_packed_kernel *kernel;
    const vc_bf16_kernel   *bf16;
    const vc_int8_kernel   *int8;
};

/* the precision another precision's kernel name belongs to, for messages */
static const char *other_precision(const char *env)
{
    if (vc_packed_kernel_find(env) || strcmp(env, "blas") == 0) return " (that one is fp32)";
    if (vc_bf16_kernel_find(env)) return " (that one is a bf16 product: --precision bf16)";
    if (vc_int8_kernel_find(env)) return " (that one is an int8 product: --precision int8)";
    return "";
}

/* int8: the kernel VIDCLASS_GEMM names (any: the fastest the CPU has) */
static int choose_int8(const char *env, int any, struct product *out)
{
    if (any) {
        if (!(out->int8 = vc_int8_kernel_best()))
            return vc_error(VC_ERR_UNSUPPORTED, "precision int8 needs %s, or %s; this CPU has neither (use fp32)",
                            vc_int8_kernel_info(vc_int8_kernel_find("avx512vnni"))->needs,
                            vc_int8_kernel_info(vc_int8_kernel_find("amx-int8"))->needs);
        return VC_OK;
    }
    const vc_int8_kernel *kn = vc_int8_kernel_find(env);
    if (!kn)
        return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_GEMM='%s' with precision int8: use amx-int8, avx512vnni or auto%s", env,
                        other_precision(env));
    if (!vc_int8_kernel_info(kn)->supported())
        return vc_error(VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=%s: this CPU lacks %s (use auto)", env,
                        vc_int8_kernel_info(kn)->needs);
    out->int8 = kn;
    return VC_OK;
}

/* bf16: likewise */
static int choose_bf16(const char *env, int any, struct product *out)
{
    if (any) {
        if (!(out->bf16 = vc_bf16_kernel_best()))
            return vc_error(VC_ERR_UNSUPPORTED, "precision bf16 needs a CPU that multiplies bf16: %s, or %s; this "
                            "one has neither (use fp32)", vc_bf16_kernel_info(vc_bf16_kernel_find("amx"))->needs,
                            vc_bf16_kernel_info(vc_bf16_kernel_find("avx512bf16"))->needs);
        return VC_OK;
    }
    const vc_bf16_kernel *kn = vc_bf16_kernel_find(env);
    if (!kn)
        return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_GEMM='%s' with precision bf16: use amx, avx512bf16 or auto%s",
                        env, other_precision(env));
    if (!vc_bf16_kernel_info(kn)->supported())
        return vc_error(VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=%s: this CPU (or its OS) lacks %s (use auto)", env,
                        vc_bf16_kernel_info(kn)->needs);
    out->bf16 = kn;
    return VC_OK;
}

/* the product for precision p and env (VIDCLASS_GEMM's value, or NULL: automatic) */
static int choose(enum vc_precision p, const char *env, struct product *out)
{
    *out = (struct product){ NULL, NULL, NULL };
    const int any = !env || !*env || strcmp(env, "auto") == 0 || strcmp(env, "packed") == 0;
    if (p == VC_PRECISION_BF16)
        return choose_bf16(env, any, out);
    if (p == VC_PRECISION_INT8)
        return choose_int8(env, any, out);
    if (!env || !*env || strcmp(env, "auto") == 0) {
        out->kernel = vc_packed_kernel_best(); /* NULL without AVX-512F and AVX2 + FMA: OpenBLAS */
        return VC_OK;
    }
    if (strcmp(env, "blas") == 0)
        return VC_OK;
    if (strcmp(env, "packed") == 0) { /* the fastest of our kernels this CPU has */
        out->kernel = vc_packed_kernel_best();
        if (!out->kernel)
            return vc_error(VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=packed: this CPU has neither AVX-512F nor AVX2 + FMA "
                                                "(use blas or auto)");
        return VC_OK;
    }
    const vc_packed_kernel *kn = vc_packed_kernel_find(env);
    if (!kn)
        return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_GEMM='%s': use avx512, avx2, packed (the fastest of those this "
                                            "CPU has), blas or auto%s", env, other_precision(env));
    if (!vc_packed_kernel_info(kn)->supported())
        return vc_error(VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=%s: this CPU lacks %s (use auto, or blas)", env,
                        vc_packed_kernel_info(kn)->needs);
    out->kernel = kn;
    return VC_OK;
}

static const char *kind_name(const struct product *pr)
{
    return pr->int8 ? vc_int8_kernel_info(pr->int8)->name
           : pr->bf16 ? vc_bf16_kernel_info(pr->bf16)->name
           : pr->kernel ? vc_packed_kernel_info(pr->kernel)->name
                        : "blas";
}

int vc_gemm_choice(enum vc_precision p, const char **kind)
{
    *kind = NULL;
    struct product pr;
    int rc = choose(p, getenv("VIDCLASS_GEMM"), &pr);
    if (rc == VC_OK)
        *kind = kind_name(&pr);
    return rc;
}

int vc_precision_check(enum vc_precision p)
{
    const char *kind;
    return vc_gemm_choice(p, &kind);
}

const char *vc_precision_note(enum vc_precision p)
{
    const char *kind = NULL;
    if (p != VC_PRECISION_BF16 || vc_gemm_choice(p, &kind) != VC_OK || strcmp(kind, "avx512bf16") != 0)
        return NULL;
    if (vc_bf16_kernel_info(vc_bf16_kernel_find("amx"))->supported())
        return "VIDCLASS_GEMM=avx512bf16 runs bf16 on vdpbf16ps, which Intel cores issue at half the rate of fp32 "
               "FMAs: fp32 is faster here, and this CPU has AMX, the default bf16 product, 2-3x fp32 "
               "(docs/performance.md)";
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_is("intel"))
        return "this CPU has no AMX, so bf16 runs on vdpbf16ps, which Intel cores issue at half the rate of fp32 "
               "FMAs (bench/fma_peak --dot): bf16 measured 0.54-0.82x the fp32 speed on Sapphire and Emerald Rapids "
               "(docs/performance.md); fp32 is faster here";
#endif
    return NULL;
}

static int create(const float *b, int count, int k, int n, enum vc_precision p, const char *env, vc_gemm_b **out)
{
    *out = NULL;
    if (!b || count < 1 || k < 1 || n < 1 ||
        (p != VC_PRECISION_FP32 && p != VC_PRECISION_BF16 && p != VC_PRECISION_INT8))
        return vc_error(VC_ERR_INVALID_ARG, "vc_gemm_b_create: invalid arguments");
    struct product pr;
    int rc = choose(p, env, &pr);
    if (rc != VC_OK)
        return rc;
    const vc_packed_kernel *kn = pr.kernel;
    const vc_bf16_kernel *bk = pr.bf16;
    vc_gemm_b *g = calloc(1, sizeof *g);
    if (!g)
        return vc_error(VC_ERR_NOMEM, "vc_gemm_b_create: out of memory");
    *g = (struct vc_gemm_b){ count, k, n, p, kn, bk, pr.int8, 0, NULL };
    size_t elem = sizeof(float);
    if (pr.int8) {
        g->stride = vc_gemm_int8_bytes(k, n);
        elem = 1;
    } else if (bk) {
        g->stride = vc_gemm_bf16_elems(k, n);
        elem = sizeof(uint16_t);
    } else {
        g->stride = kn ? vc_gemm_packed_floats(kn, k, n) : (size_t)k * n;
    }
    size_t bytes = elem * g->stride * (size_t)count;
    g->data = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!g->data) {
        free(g);
        return vc_error(VC_ERR_NOMEM, "vc_gemm_b_create: out of memory for %d x %d x %d weights", count, k, n);
    }
    for (int i = 0; i < count; i++) {
        const float *src = b + (size_t)i * k * n;
        if (pr.int8)
            vc_gemm_int8_pack(src, k, n, (unsigned char *)g->data + (size_t)i * g->stride);
        else if (bk)
            vc_gemm_bf16_pack(bk, src, k, n, (uint16_t *)g->data + (size_t)i * g->stride);
        else if (kn)
            vc_gemm_packed_pack(kn, src, k, n, (float *)g->data + (size_t)i * g->stride);
        else
            memcpy((float *)g->data + (size_t)i * g->stride, src, sizeof(float) * (size_t)k * n);
    }
    *out = g;
    return VC_OK;
}

int vc_gemm_b_create(const float *b, int count, int k, int n, enum vc_precision p, vc_gemm_b **out)
{
    return create(b, count, k, n, p, getenv("VIDCLASS_GEMM"), out);
}

int vc_gemm_b_create_auto(const float *b, int count, int k, int n, enum vc_precision p, vc_gemm_b **out)
{
    return create(b, count, k, n, p, NULL, out);
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
    const struct product pr = { b->kernel, b->bf16, b->int8 };
    return kind_name(&pr);
}

int vc_gemm_b_tile_rows(const vc_gemm_b *b)
{
    return b->int8   ? vc_int8_kernel_info(b->int8)->mr
           : b->bf16   ? vc_bf16_kernel_info(b->bf16)->mr
           : b->kernel ? vc_packed_kernel_info(b->kernel)->mr
                       : 6;
}

enum vc_precision vc_gemm_b_precision(const vc_gemm_b *b)
{
    return b->precision;
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
    VC_ASSERT(index >= 0 && index < b->count);
    const int acc = (flags & VC_GEMM_ACCUMULATE) != 0, relu = (flags & VC_GEMM_RELU) != 0;
    if (m < 1)
        return;
    if (b->int8) {
        vc_gemm_int8_run(b->int8, m, b->n, b->k, a, lda, (const unsigned char *)b->data + (size_t)index * b->stride, c,
                         ldc, bias, acc, relu);
        return;
    }
    if (b->bf16) {
        const uint16_t *wb = (const uint16_t *)b->data + (size_t)index * b->stride;
        vc_gemm_bf16_run(b->bf16, m, b->n, b->k, a, lda, wb, c, ldc, bias, acc, relu);
        return;
    }
    const float *w = (const float *)b->data + (size_t)index * b->stride;
    if (b->kernel) {
        vc_gemm_packed_run(b->kernel, m, b->n, b->k, a, lda, w, c, ldc, bias, acc, relu);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, b->n, b->k, 1.0f, a, lda, w, b->n,
                acc ? 1.0f : 0.0f, c, ldc);
    bias_relu_rows(c, m, b->n, ldc, bias, relu);
}

int vc_gemm_b_pieces_ok(const vc_gemm_b *b)
{
    return b && b->kernel && !b->bf16 && !b->int8 && vc_gemm_packed_pieces_ok(b->kernel, b->n, b->k);
}

void vc_gemm_b_run_pieces(int m, const float *a, int rs, int seg, size_t seg_stride, const vc_gemm_b *b, float *c,
                          int ldc, const float *bias, int flags)
{
    VC_ASSERT(vc_gemm_b_pieces_ok(b));
    if (m < 1)
        return;
    vc_gemm_packed_run_pieces(b->kernel, m, b->n, b->k, a, rs, seg, seg_stride, (const float *)b->data, c, ldc, bias,
                              (flags & VC_GEMM_ACCUMULATE) != 0, (flags & VC_GEMM_RELU) != 0);
}

int vc_gemm_b_rounded_kpad(const vc_gemm_b *b)
{
    return b->bf16 ? vc_gemm_bf16_kpad(b->k) : 0;
}

int vc_gemm_b_rounded_slack(const vc_gemm_b *b)
{
    return b->bf16 ? vc_bf16_kernel_info(b->bf16)->mr : 0;
}

void vc_gemm_b_round(const vc_gemm_b *b, const float *a, size_t count, uint16_t *out)
{
    VC_ASSERT(b->bf16);
    vc_gemm_bf16_round(a, count, out);
}

void vc_gemm_b_run_rounded(int m, const uint16_t *a, const vc_gemm_b *b, int index, float *c, int ldc,
                           const float *bias, int flags)
{
    VC_ASSERT(b->bf16 && index >= 0 && index < b->count);
    if (m < 1)
        return;
    vc_gemm_bf16_run_rounded(b->bf16, m, b->n, b->k, a, vc_gemm_bf16_kpad(b->k),
                             (const uint16_t *)b->data + (size_t)index * b->stride, c, ldc, bias,
                             (flags & VC_GEMM_ACCUMULATE) != 0, (flags & VC_GEMM_RELU) != 0);
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
