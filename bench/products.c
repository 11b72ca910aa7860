/*
 * bench/products - the whole ResNet50 forward pass with each product for constant weights
 * this CPU has (vidclass/gemm.h: blas = OpenBLAS sgemm; avx2, avx512 = our packed kernels),
 * in one process; or, with --vary, with each value of any variable read when the network
 * is loaded (the way to time a variant on a noisy host: in-process alternation).
 *
 * The network is loaded once per variant (VIDCLASS_GEMM, or the --vary variable, set before
 * each load, and again before each of the variant's passes). Per (threads, batch): rounds of one pass with each variant back to back, so
 * all see the same machine state; prints the median ms per pass of each and, per further
 * variant, the median over rounds of the per-round ratio first / variant (> 1: the variant
 * is faster), and checks that all give the same features as the first (max relative
 * difference; exit 1 beyond 1e-4):
 *   products threads=1 batch=8 rounds=9 blas_ms=812.3 avx2_ms=701.9 avx2_x_blas=1.16 max_rel_diff=2.1e-07
 *   products --vary VIDCLASS_WINOGRAD=4,4,2,2:4,4,4,4 -b 8   (the product stays the default)
 * --precision bf16 / int8 loads every variant in that precision; --vary precision=fp32:int8
 * (lower case: not a variable) loads one network per precision. With a reduced precision the
 * features must agree within 3e-2 (the variants round differently: tests/test_resnet50.c's bars).
 *
 * usage: products [--weights W.h5] [-b 1,8] [-t 1,2] [-r ROUNDS] [--size 224] [--vary NAME=V1:V2[:...]]
 *                 [--precision fp32|bf16|int8]
 */
#define _GNU_SOURCE
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/resnet50.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"

#include "bench_args.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROUNDS 64

#define MAX_VARIANTS 6
#define PRODUCTS "VIDCLASS_GEMM=blas:avx2:avx512"

int main(int argc, char **argv)
{
    int batches[8] = { 1, 8 }, n_batches = 2, threads[8] = { 1, 2 }, n_threads = 2;
    int rounds = 9, size = 224;
    const char *weights = NULL, *vary = PRODUCTS;
    struct vc_resnet50_params lp = vc_resnet50_default_params();
    static const struct option opts[] = {
        { "weights", required_argument, NULL, 'W' }, { "size", required_argument, NULL, 's' },
        { "vary", required_argument, NULL, 'V' }, { "precision", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "b:t:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': n_batches = bench_parse_list(optarg, batches, 8); break;
        case 't': n_threads = bench_parse_list(optarg, threads, 8); break;
        case 'r': rounds = atoi(optarg); break;
        case 'W': weights = optarg; break;
        case 's': size = atoi(optarg); break;
        case 'V': vary = optarg; break;
        case 'P':
            if (vc_precision_parse(optarg, &lp.precision) != VC_OK) {
                fprintf(stderr, "products: %s\n", vc_last_error());
                return 2;
            }
            break;
        default:
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: products [--weights W.h5] [-b 1,8] [-t 1,2] [-r ROUNDS] [--size 224] [--vary NAME=V1:V2[:...]]\n"
                    "                [--precision fp32|bf16|int8]\n"
                    "  the forward pass with each product this CPU has (VIDCLASS_GEMM=blas, avx2, avx512)\n"
                    "  in alternation, one process; --vary: with each value of NAME instead (read at load,\n"
                    "  e.g. VIDCLASS_WINOGRAD=4,4,2,2:4,4,4,4); ratios are against the first value;\n"
                    "  --precision: every variant in that precision (features agree within 3e-2);\n"
                    "  --vary precision=fp32:bf16:int8: one network per precision\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || n_batches < 1 || n_threads < 1 || size < 32) {
        fprintf(stderr, "products: need 1..%d rounds, batches, threads and a size of at least 32\n", MAX_ROUNDS);
        return 2;
    }
    /* NAME=V1:V2:...: split in place; with VIDCLASS_GEMM, the products this CPU lacks are left out */
    static char spec[512];
    snprintf(spec, sizeof spec, "%s", vary);
    char *var = spec, *eq = strchr(spec, '='), *names[MAX_VARIANTS];
    int np = 0;
    if (!eq || eq == spec) {
        fprintf(stderr, "products: --vary takes NAME=V1:V2[:...], got '%s'\n", vary);
        return 2;
    }
    *eq = '\0';
    const int gemm = strcmp(var, "VIDCLASS_GEMM") == 0, by_precision = strcmp(var, "precision") == 0;
    enum vc_precision prec[MAX_VARIANTS];
    for (char *v = strtok(eq + 1, ":"); v; v = strtok(NULL, ":")) {
        const char *kind = NULL;
        if (np == MAX_VARIANTS) {
            fprintf(stderr, "products: --vary takes at most %d values\n", MAX_VARIANTS);
            return 2;
        }
        prec[np] = lp.precision;
        if (by_precision && vc_precision_parse(v, &prec[np]) != VC_OK) {
            fprintf(stderr, "products: %s\n", vc_last_error());
            return 2;
        }
        if (!by_precision)
            setenv(var, v, 1);
        if ((!gemm && !by_precision) || vc_gemm_choice(prec[np], &kind) == VC_OK)
            names[np++] = v;
        else
            printf("products: %s: %s\n", v, vc_last_error());
    }
    if (np < 2) {
        fprintf(stderr, "products: fewer than two variants of %s to compare%s\n", var,
                gemm ? " (no packed kernel on this CPU)" : "");
        return 1;
    }
    char tmp[256] = "";
    if (!weights) {
        snprintf(tmp, sizeof tmp, "/tmp/vc-bench-weights-%ld.h5", (long)getpid());
        struct vc_resnet50_gen_params gp = vc_resnet50_gen_default_params();
        if (vc_resnet50_generate_weights(tmp, &gp) != VC_OK) {
            fprintf(stderr, "products: %s\n", vc_last_error());
            return 1;
        }
        weights = tmp;
    }
    vc_resnet50 *net[MAX_VARIANTS] = { NULL };
    int rc = VC_OK;
    for (int p = 0; p < np && rc == VC_OK; p++) {
        struct vc_resnet50_params vp = lp;
        vp.precision = prec[p];
        if (!by_precision)
            setenv(var, names[p], 1);
        rc = vc_resnet50_load(weights, &vp, &net[p]);
    }
    if (tmp[0])
        unlink(tmp);
    if (rc != VC_OK) {
        fprintf(stderr, "products: %s\n", vc_last_error());
        for (int p = 0; p < np; p++)
            vc_resnet50_free(&net[p]);
        return 1;
    }
    int maxb = 0;
    for (int i = 0; i < n_batches; i++)
        if (batches[i] > maxb) maxb = batches[i];
    const size_t per = (size_t)size * size * 3, nf = (size_t)VC_RESNET50_FEATURES * maxb;
    float *x = malloc(sizeof(float) * per * maxb), *feat[MAX_VARIANTS] = { NULL };
    int nomem = !x;
    for (int p = 0; p < np; p++)
        nomem |= !(feat[p] = malloc(sizeof(float) * nf));
    if (nomem) {
        fprintf(stderr, "products: out of memory\n");
        return 1;
    }
    struct vc_rng r;
    vc_rng_seed(&r, 3, 1, 4);
    for (size_t i = 0; i < per * maxb; i++)
        x[i] = (float)vc_rng_range(&r, -120.0, 130.0);
    int reduced = 0;
    for (int p = 0; p < np; p++)
        reduced |= prec[p] != VC_PRECISION_FP32;
    const double bar = reduced ? 3e-2 : 1e-4;
    int errors = 0;
    for (int ti = 0; ti < n_threads; ti++) {
        vc_blas_set_threads(threads[ti]);
        for (int bi = 0; bi < n_batches; bi++) {
            const int b = batches[bi];
            double ms[MAX_VARIANTS][MAX_ROUNDS], ratio[MAX_VARIANTS][MAX_ROUNDS];
            for (int rd = -1; rd < rounds; rd++) { /* round -1 warms all up */
                for (int p = 0; p < np; p++) {
                    if (!by_precision)
                        setenv(var, names[p], 1); /* also for variables read during the pass */
                    double t0 = vc_time_now();
                    if (vc_resnet50_features(net[p], x, b, size, size, feat[p]) != VC_OK) {
                        fprintf(stderr, "products: %s\n", vc_last_error());
                        errors++;
                    }
                    if (rd >= 0) ms[p][rd] = 1e3 * (vc_time_now() - t0);
                }
                for (int p = 1; p < np && rd >= 0; p++)
                    ratio[p][rd] = ms[0][rd] / ms[p][rd];
            }
            double rel = 0.0; /* the largest difference of any variant from the first, relative to its largest */
            for (int p = 1; p < np; p++) {
                double md = 0.0, mb = 0.0;
                for (size_t i = 0; i < (size_t)VC_RESNET50_FEATURES * b; i++) {
                    double d = fabs((double)feat[0][i] - feat[p][i]);
                    md = d > md || isnan(d) ? (isnan(d) ? INFINITY : d) : md;
                    mb = fabs(feat[0][i]) > mb ? fabs(feat[0][i]) : mb;
                }
                const double pr = mb > 0 ? md / mb : md;
                rel = pr > rel || isnan(pr) ? pr : rel;
            }
            if (!(rel <= bar)) errors++;
            printf("products threads=%d batch=%d rounds=%d", threads[ti], b, rounds);
            for (int p = 0; p < np; p++)
                printf(" %s_ms=%.1f", names[p], bench_median(ms[p], rounds));
            for (int p = 1; p < np; p++)
                printf(" %s_x_%s=%.2f", names[p], names[0], bench_median(ratio[p], rounds));
            printf(" max_rel_diff=%.1e\n", rel);
            fflush(stdout);
        }
    }
    for (int p = 0; p < np; p++) {
        vc_resnet50_free(&net[p]);
        free(feat[p]);
    }
    free(x);
    if (errors)
        fprintf(stderr, "products: %d errors (failed passes or features that differ from the first variant's by more than %g)\n",
                errors, bar);
    return errors ? 1 : 0;
}
