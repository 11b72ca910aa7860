/* gemm_kernel.h - vidclass internal: the register-tile kernels behind the packed product
 * (src/gemm_packed.c drives them; each lives in its own file, compiled for its ISA with a
 * target attribute and called only on a CPU that has it). */
#ifndef VIDCLASS_GEMM_KERNEL_H
#define VIDCLASS_GEMM_KERNEL_H

#include <stddef.h>

/* What the last pass over a tile does besides storing it. */
struct vc_tile_ops {
    int load;          /* add C's current values (accumulation, or an earlier K slice) */
    int last;          /* the final K slice: add the bias, apply ReLU                  */
    const float *bias; /* the tile's nr bias values, or NULL                           */
    int relu;
};

/* C[mr x nr] tile (row stride ldc) += / = MR rows of A times one NR-column panel of packed B
 * (kc rows of NR floats, 64-byte aligned). Row i's element k is a[i * rs + k]; rows past mr
 * repeat row 0 and are not stored, columns past nr are zero in the panel and not stored. */
typedef void vc_tile_fn(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                        int ldc, int mr, int nr, const struct vc_tile_ops *op);

/* AVX2 + FMA: 6 x 16 tile in 12 ymm accumulators (gemm_kernel_avx2.c); 1 if the CPU has it. */
vc_tile_fn vc_tile_avx2_6x16;
int vc_tile_avx2_supported(void);

/* AVX-512F: 8 x 32 tile in 16 zmm accumulators, masked edges (gemm_kernel_avx512.c). */
vc_tile_fn vc_tile_avx512_8x32;
int vc_tile_avx512_supported(void);

#endif
