/* gemm_kernel.h - vidclass internal: the register-tile kernels behind the packed product
 * (src/gemm_packed.c drives them; each lives in its own file, compiled for its ISA with a
 * target attribute and called only on a CPU that has it). */
#ifndef VIDCLASS_GEMM_KERNEL_H
#define VIDCLASS_GEMM_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/* What the last pass over a tile does besides storing it. */
struct vc_tile_ops {
    int load;          /* add C's current values (accumulation, or an earlier K slice) */
    int last;          /* the final K slice: add the bias, apply ReLU                  */
    const float *bias; /* the tile's nr bias values, or NULL                           */
    int relu;
    /* The fp32 tiles (AVX-512, AVX2; the others ignore it): MR rows of kc floats, rs apart
     * (the shape of the tile's own A), fetched into L1 while this tile computes, or NULL.
     * The driver points it at the next row tile's A when A is read in place (for the 1x1
     * convolutions that is from L3, in rows the hardware prefetchers miss: 0.25-8 KB apart,
     * a few lines of each), and, for the AVX-512 tile, when A is packed (rs = kc, so the
     * rows are one run of MR x kc floats), at a part of the next panel of B: then a panel's
     * first NR / MR row tiles fetch all of the next one, which at batch 1 comes from memory.
     * Prefetches never fault, so rows past the end are harmless. */
    const float *ahead;
    /* The fp32 tiles (AVX-512, AVX2; the others are never asked): 0, or A's rows come in
     * pieces of seg floats, seg_stride apart: row i's element k is a[i * rs + (k / seg) *
     * seg_stride + k % seg] (kc a multiple of seg). A convolution's patch read in place
     * from its padded input: one piece per kernel row (vc_gemm_b_run_pieces). */
    int seg;
    size_t seg_stride;
};

/* The fp32 tiles' fetch of vc_tile_ops.ahead at step kk of a slice: next's mr rows (rs
 * apart) one 64-byte line every second k, row line % mr, so kc steps cover up to mr x kc / 16
 * lines (all of a row tile's A when mr <= 8). next is NULL with A in pieces (there kk is k). */
__attribute__((always_inline)) static inline void vc_tile_fetch_ahead(const float *next, int kk, int mr, size_t rs)
{
    if (next && !(kk & 1)) {
        const int line = kk >> 1;
        __builtin_prefetch(next + (size_t)(line % mr) * rs + (size_t)(line / mr) * 16, 0, 3); /* prefetcht0 */
    }
}

/* C[mr x nr] tile (row stride ldc) += / = MR rows of A times one NR-column panel of packed B
 * (kc rows of NR floats, 64-byte aligned). Row i's element k is a[i * rs + k] (or in pieces:
 * op->seg); rows past mr repeat row 0 and are not stored, columns past nr are zero in the
 * panel and not stored. */
typedef void vc_tile_fn(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                        int ldc, int mr, int nr, const struct vc_tile_ops *op);

/* AVX2 + FMA: 6 x 16 tile in 12 ymm accumulators (gemm_kernel_avx2.c); 1 if the CPU has it. */
vc_tile_fn vc_tile_avx2_6x16;
int vc_tile_avx2_supported(void);

/* AVX-512F: 8 x 32 tile in 16 zmm accumulators, masked edges (gemm_kernel_avx512.c). */
vc_tile_fn vc_tile_avx512_8x32;
int vc_tile_avx512_supported(void);

/* ---- bfloat16 tiles (gemm_bf16.c drives them) ----------------------------------------------
 * C[mr x nr] tile (row stride ldc) += / = MR rows of bf16 A times one 32-column panel of
 * packed bf16 B, products accumulated in float32. kc (a multiple of 32) is the slice depth:
 * row i of A is kc bf16 values at a + i * rs (rows past mr exist in the buffer and are not
 * stored); the panel is kc / 2 rows of 32 column pairs, element (k, j) at bp[(k / 2) * 64 +
 * 2 * j + k % 2] (the VNNI layout both vdpbf16ps and AMX's tdpbf16ps read). */
typedef void vc_tile_bf16_fn(int kc, const uint16_t *restrict a, size_t rs, const uint16_t *restrict bp,
                             float *restrict c, int ldc, int mr, int nr, const struct vc_tile_ops *op);

/* AVX512_BF16: 8 x 32 tile in 16 zmm accumulators, vdpbf16ps (gemm_kernel_avx512bf16.c). */
vc_tile_bf16_fn vc_tile_avx512bf16_8x32;
int vc_tile_avx512bf16_supported(void);

/* rows x k floats (row stride lda) rounded to bf16 (to nearest even) into out, rows of kpad
 * values (k..kpad-1 set to 0); needs AVX512_BF16 (every CPU with a bf16 tile has it). */
void vc_bf16_convert_rows(const float *a, size_t lda, int rows, int k, int kpad, uint16_t *out);

/* AMX-BF16: 32 x 32 tile in four 16 x 16 tile registers, tdpbf16ps (gemm_kernel_amx.c).
 * The calling thread must run vc_tile_amx_begin before its first tile and vc_tile_amx_end
 * after its last (tile configuration and release are per thread). Supported: the CPU has
 * AMX-BF16 and AVX512_BF16, and Linux granted the process the tile state (arch_prctl). */
vc_tile_bf16_fn vc_tile_amx_32x32;
int vc_tile_amx_supported(void);
void vc_tile_amx_begin(void);
void vc_tile_amx_end(void);

/* ---- int8 tiles (gemm_int8.c drives them) -------------------------------------------------
 * C[mr x nr] tile (row stride ldc) += / = MR rows of u8 A times one 32-column panel of s8 B,
 * summed exactly in int32, then back to float: (sum - a_offset[i] * b_sum[j]) * a_scale[i] *
 * b_scale[j]. kc (a multiple of 64) is the slice depth: row i of A is kc bytes at a + i * rs
 * (rows past mr exist and are not stored); the panel is kc / 4 rows of 32 column quads,
 * element (k, j) at bp[(k / 4) * 128 + 4 * j + k % 4] (the layout vpdpbusd reads). */
struct vc_int8_scales {
    const float   *a_scale;  /* the tile's MR rows                              */
    const int32_t *a_offset; /* 0, or 128 for a row with negatives              */
    const float   *b_scale;  /* the panel's 32 columns, 64-byte aligned         */
    const int32_t *b_sum;    /* the panel's column sums over the slice, aligned */
};
typedef void vc_tile_i8_fn(int kc, const uint8_t *restrict a, size_t rs, const int8_t *restrict bp,
                           float *restrict c, int ldc, int mr, int nr, const struct vc_tile_ops *op,
                           const struct vc_int8_scales *sc);

/* AVX512_VNNI: 8 x 32 tile in 16 zmm accumulators, vpdpbusd (gemm_kernel_avx512vnni.c). */
vc_tile_i8_fn vc_tile_avx512vnni_8x32;
int vc_tile_avx512vnni_supported(void);

/* AMX-INT8: 32 x 32 tile in four 16 x 16 int32 tile registers, tdpbusd (gemm_kernel_amx.c);
 * the same per-thread vc_tile_amx_begin / vc_tile_amx_end as the bf16 tile. Supported: the
 * CPU has AMX-INT8 and AVX-512F, and Linux granted the process the tile state. */
vc_tile_i8_fn vc_tile_amx_int8_32x32;
int vc_tile_amx_int8_supported(void);

/* rows x k floats (row stride lda) to bytes per row (see gemm_int8.h) into out, rows of kpad
 * (k..kpad-1 set to 0), with each row's scale and offset; needs AVX-512F. */
void vc_int8_quantize_rows(const float *a, size_t lda, int rows, int k, int kpad, uint8_t *out, float *scale,
                           int32_t *offset);

#endif
