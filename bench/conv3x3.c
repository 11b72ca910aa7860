/*
 * bench/conv3x3 - the 3x3 stride-1 convolutions of ResNet50's four stages, three ways:
 * im2col + GEMM (vc_conv2d), Winograd F(2x2,3x3) and F(4x4,3x3), interleaved in rounds so
 * the machine's drift hits all three alike. One line per (stage, batch, threads, method):
 *   conv3x3 stage=2 hw=56 c=64 batch=8 threads=1 method=f4 ms=12.3 gflops=...  x_im2col=2.10
 * gflops counts the direct convolution's flops (2 * 9 * cin * cout per output), so it is
 * the "effective" rate; x_im2col is the median over rounds of im2col's time / this one.
 * The stage table in src/resnet50.c (k_wino_m) is chosen from these figures.
 *
 * usage: conv3x3 [-b 1,8] [-t 1,2] [-r ROUNDS] [-s 2,3,4,5]
 */
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"

#include "bench_args.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_METHODS 3
#define MAX_ROUNDS 64
static const char *const k_names[N_METHODS] = { "im2col", "f2", "f4" };

int main(int argc, char **argv)
{
    int batches[8] = { 1, 8 }, n_batches = 2, threads[8] = { 1 }, n_threads = 1, stages[4] = { 2, 3, 4, 5 };
    int n_stages = 4, rounds = 5;
    int c;
    while ((c = getopt(argc, argv, "b:t:r:s:h")) != -1) {
        switch (c) {
        case 'b': n_batches = bench_parse_list(optarg, batches, 8); break;
        case 't': n_threads = bench_parse_list(optarg, threads, 8); break;
        case 'r': rounds = atoi(optarg); break;
        case 's': n_stages = bench_parse_list(optarg, stages, 4); break;
        default:
            fprintf(c == 'h' ? stdout : stderr, "usage: conv3x3 [-b 1,8] [-t 1,2] [-r rounds] [-s 2,3,4,5]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "conv3x3: -r takes 1..%d\n", MAX_ROUNDS);
        return 2;
    }
    struct vc_rng r;
    vc_rng_seed(&r, 5, 0, 0);
    for (int si = 0; si < n_stages; si++) {
        int st = stages[si];
        if (st < 2 || st > 5) {
            fprintf(stderr, "conv3x3: stages are 2..5\n");
            return 2;
        }
        int ch = 64 << (st - 2), hw = 56 >> (st - 2);
        struct vc_conv_desc d = { ch, ch, 3, 3, 1, 1 };
        size_t nk = (size_t)9 * ch * ch;
        float *k = malloc(sizeof(float) * nk), *bias = malloc(sizeof(float) * ch);
        float *u[N_METHODS] = { NULL, malloc(sizeof(float) * vc_conv_winograd_kernel_floats(&d, 2)),
                                malloc(sizeof(float) * vc_conv_winograd_kernel_floats(&d, 4)) };
        for (size_t i = 0; i < nk; i++) k[i] = (float)vc_rng_range(&r, -0.05, 0.05);
        for (int i = 0; i < ch; i++) bias[i] = (float)vc_rng_range(&r, -0.1, 0.1);
        vc_conv_winograd_transform_kernel(&d, 2, k, u[1]);
        vc_conv_winograd_transform_kernel(&d, 4, k, u[2]);
        vc_gemm_b *g[N_METHODS] = { NULL, NULL, NULL };
        int rc = vc_gemm_b_create(k, 1, 9 * ch, ch, VC_PRECISION_FP32, &g[0]);
        if (rc == VC_OK) rc = vc_gemm_b_create(u[1], 16, ch, ch, VC_PRECISION_FP32, &g[1]);
        if (rc == VC_OK) rc = vc_gemm_b_create(u[2], 36, ch, ch, VC_PRECISION_FP32, &g[2]);
        if (rc != VC_OK) {
            fprintf(stderr, "conv3x3: %s\n", vc_last_error());
            return 1;
        }
        for (int bi = 0; bi < n_batches; bi++) {
            int n = batches[bi];
            size_t nx = (size_t)n * hw * hw * ch;
            float *x = malloc(sizeof(float) * nx), *y = malloc(sizeof(float) * nx);
            for (size_t i = 0; i < nx; i++) x[i] = (float)vc_rng_range(&r, 0.0, 1.0);
            for (int ti = 0; ti < n_threads; ti++) {
                vc_blas_set_threads(threads[ti]);
                size_t wsn = vc_conv_workspace_floats(&d, n, hw, hw);
                for (int m = 2; m <= 4; m += 2) {
                    size_t w2 = vc_conv_winograd_workspace_floats(&d, m, threads[ti]);
                    if (w2 > wsn) wsn = w2;
                }
                float *ws = malloc(sizeof(float) * wsn);
                /* enough repetitions per timing for ~50 ms at 30 GFLOP/s */
                double flops = 2.0 * 9.0 * ch * ch * (double)n * hw * hw;
                int reps = (int)(1.5e9 / flops) + 1;
                double t[N_METHODS][MAX_ROUNDS], ratio[N_METHODS][MAX_ROUNDS];
                for (int rd = -1; rd < rounds; rd++) { /* round -1 warms up */
                    for (int me = 0; me < N_METHODS; me++) {
                        double t0 = vc_time_now();
                        for (int i = 0; i < reps; i++) {
                            rc = me == 0 ? vc_conv2d(&d, g[0], bias, x, n, hw, hw, y, VC_CONV_RELU, ws, wsn)
                                         : vc_conv2d_winograd(&d, me == 1 ? 2 : 4, g[me], bias, x, n, hw, hw, y,
                                                                  VC_CONV_RELU, ws, wsn);
                            if (rc != VC_OK) {
                                fprintf(stderr, "conv3x3: %s\n", vc_last_error());
                                return 1;
                            }
                        }
                        if (rd >= 0) t[me][rd] = (vc_time_now() - t0) / reps;
                    }
                    if (rd >= 0)
                        for (int me = 0; me < N_METHODS; me++) ratio[me][rd] = t[0][rd] / t[me][rd];
                }
                for (int me = 0; me < N_METHODS; me++) {
                    qsort(t[me], (size_t)rounds, sizeof(double), bench_cmp_double);
                    qsort(ratio[me], (size_t)rounds, sizeof(double), bench_cmp_double);
                    double ms = 1e3 * t[me][rounds / 2];
                    printf("conv3x3 stage=%d hw=%d c=%d batch=%d threads=%d method=%s ms=%.3f gflops=%.1f x_im2col=%.2f\n",
                           st, hw, ch, n, threads[ti], k_names[me], ms, flops / (ms * 1e6), ratio[me][rounds / 2]);
                }
                fflush(stdout);
                free(ws);
            }
            free(x);
            free(y);
        }
        free(k);
        free(bias);
        for (int me = 0; me < N_METHODS; me++) {
            free(u[me]);
            vc_gemm_b_free(&g[me]);
        }
    }
    return 0;
}
