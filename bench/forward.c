/*
 * bench/forward - ResNet50-notop forward-pass throughput.
 *
 * For every (threads, batch) pair: warmup passes, then timed passes; prints images/s,
 * GFLOP/s (counted as direct convolutions, 7.7 GFLOP per 224x224 image), the GFLOP the
 * GEMMs really execute per image (Winograd layers at their tile size, ~5.44) and their
 * rate, and the share of time in convolutions, one machine-readable line per configuration:
 *   forward impl=vidclass threads=2 batch=8 img_s=12.34 gflops=95.1 gemm_gflop_img=5.436
 *   gemm_gflops=67.3 ms_batch=648.0 conv_share=0.97 ws_mb=83 product=avx2 precision=fp32
 * bench/peer_torch.py prints the same lines for PyTorch; scripts/bench.sh joins them.
 * Built-in check: the features must be finite and input-dependent, else exit 1.
 *
 * usage: forward [--weights W.h5] [-b 1,8,32] [-t 1,2] [-n ITERS] [-w WARMUP] [--size 224] [-p]
 *                [--precision fp32|bf16|int8]
 *        -p: also print the stage breakdown (vidclass/profile.h) as shares of thread-time
 */
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/resnet50.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"

#include "bench_args.h"

#include <getopt.h>
#include "vidclass/profile.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int batches[8] = { 1, 8, 32 }, n_batches = 3;
    int threads[8] = { 1, 2 }, n_threads = 2;
    int iters = 3, warmup = 1, size = 224, profile = 0;
    const char *weights = NULL;
    struct vc_resnet50_params np = vc_resnet50_default_params();
    static const struct option opts[] = {
        { "weights", required_argument, NULL, 'W' }, { "size", required_argument, NULL, 's' },
        { "precision", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "b:t:n:w:ph", opts, NULL)) != -1) {
        switch (c) {
        case 'b': n_batches = bench_parse_list(optarg, batches, 8); break;
        case 't': n_threads = bench_parse_list(optarg, threads, 8); break;
        case 'n': iters = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 'W': weights = optarg; break;
        case 's': size = atoi(optarg); break;
        case 'p': profile = 1; break;
        case 'P':
            if (vc_precision_parse(optarg, &np.precision) != VC_OK) {
                fprintf(stderr, "forward: %s\n", vc_last_error());
                return 2;
            }
            break;
        default:
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: forward [--weights W.h5] [-b 1,8,32] [-t 1,2] [-n iters] [-w warmup] [--size 224] [-p]\n"
                    "               [--precision fp32|bf16|int8]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    char tmp[256] = "";
    if (!weights) {
        snprintf(tmp, sizeof tmp, "/tmp/vc-bench-weights-%ld.h5", (long)getpid());
        struct vc_resnet50_gen_params gp = vc_resnet50_gen_default_params();
        if (vc_resnet50_generate_weights(tmp, &gp) != VC_OK) {
            fprintf(stderr, "forward: %s\n", vc_last_error());
            return 1;
        }
        weights = tmp;
    }
    vc_resnet50 *net = NULL;
    int rc = vc_resnet50_load(weights, &np, &net);
    if (tmp[0])
        unlink(tmp);
    if (rc != VC_OK) {
        fprintf(stderr, "forward: %s\n", vc_last_error());
        return 1;
    }
    const char *product = vc_resnet50_describe(net).product; /* the product the weights are prepared for */
    int maxb = 0;
    for (int i = 0; i < n_batches; i++)
        if (batches[i] > maxb) maxb = batches[i];
    size_t per = (size_t)size * size * 3;
    float *x = malloc(sizeof(float) * per * maxb);
    float *feat = malloc(sizeof(float) * VC_RESNET50_FEATURES * maxb);
    struct vc_rng r;
    vc_rng_seed(&r, 3, 1, 4);
    for (size_t i = 0; i < per * maxb; i++)
        x[i] = (float)vc_rng_range(&r, -120.0, 130.0);
    const double gflop_img = vc_resnet50_flops(size, size) / 1e9;
    const double gemm_gflop_img = vc_resnet50_gemm_flops(net, size, size) / 1e9;
    int errors = 0;
    for (int ti = 0; ti < n_threads; ti++) {
        vc_blas_set_threads(threads[ti]);
        for (int bi = 0; bi < n_batches; bi++) {
            int b = batches[bi];
            for (int i = 0; i < warmup; i++)
                vc_resnet50_features(net, x, b, size, size, feat);
            struct vc_resnet50_timing t0 = vc_resnet50_get_timing(net);
            vc_profile_reset();
            vc_profile_enable(profile);
            double start = vc_time_now();
            for (int i = 0; i < iters; i++)
                if (vc_resnet50_features(net, x, b, size, size, feat) != VC_OK)
                    errors++;
            double el = vc_time_now() - start;
            vc_profile_enable(0);
            struct vc_resnet50_timing t1 = vc_resnet50_get_timing(net);
            /* check: finite, and image 0 differs from image b-1 when b > 1 */
            double diff = 0.0;
            for (int k = 0; k < VC_RESNET50_FEATURES; k++) {
                if (!isfinite(feat[k])) errors++;
                diff += fabs(feat[k] - feat[(size_t)(b - 1) * VC_RESNET50_FEATURES + k]);
            }
            if (b > 1 && diff == 0.0) errors++;
            double img_s = (double)b * iters / el;
            printf("forward impl=vidclass threads=%d batch=%d img_s=%.3f gflops=%.2f gemm_gflop_img=%.3f gemm_gflops=%.2f "
                   "ms_batch=%.1f conv_share=%.3f ws_mb=%.0f product=%s precision=%s\n",
                   threads[ti], b, img_s, img_s * gflop_img, gemm_gflop_img, img_s * gemm_gflop_img, 1e3 * el / iters,
                   (t1.conv - t0.conv) / (t1.total - t0.total), vc_resnet50_workspace_bytes(net) / 1e6, product,
                   vc_precision_name(np.precision));
            if (profile) {
                struct vc_profile pr = vc_profile_get();
                double all = el * threads[ti], known = 0;
                printf("  stages (share of %d thread(s) x %.2f s):", threads[ti], el);
                for (int s = 0; s < VC_PROF_N; s++) {
                    printf(" %s %.1f%%", vc_profile_stage_name(s), 100 * pr.seconds[s] / all);
                    known += pr.seconds[s];
                }
                printf(" other %.1f%%\n", 100 * (1 - known / all));
            }
            fflush(stdout);
        }
    }
    vc_resnet50_free(&net);
    free(x);
    free(feat);
    if (errors)
        fprintf(stderr, "forward: %d correctness errors\n", errors);
    return errors ? 1 : 0;
}
