/* gemm_kernel_table.h - vidclass internal: what every product's table of kernels shares
 * (gemm_packed.c for fp32, gemm_bf16.c, gemm_int8.c). Each table is an array of its own
 * kernel struct, fastest first, whose first member is a struct vc_kernel_info; a new kernel
 * is one more row in its precision's table (and its tile in a gemm_kernel_*.c). */
#ifndef VIDCLASS_GEMM_KERNEL_TABLE_H
#define VIDCLASS_GEMM_KERNEL_TABLE_H

#include <stddef.h>

struct vc_kernel_info {
    const char *name;       /* what VIDCLASS_GEMM calls it ("avx2", "amx")             */
    const char *needs;      /* the instructions it needs, for messages                 */
    int (*supported)(void); /* 1 if this CPU (and its OS) can run it                   */
    int mr;                 /* rows of its register tile (callers size their buffers)  */
};

/* The kernel called name among the count entries of table (each entry `size` bytes, a struct
 * vc_kernel_info first), or NULL. */
const struct vc_kernel_info *vc_kernel_table_find(const void *table, size_t count, size_t size, const char *name);

/* The first entry of table this CPU supports (tables list the fastest first), or NULL. */
const struct vc_kernel_info *vc_kernel_table_best(const void *table, size_t count, size_t size);

/* The two above for a table declared as an array of its kernel type, returning that type. */
#define VC_KERNEL_TABLE_FIND(type, table, name) \
    ((const type *)(const void *)vc_kernel_table_find(table, sizeof table / sizeof table[0], sizeof table[0], name))
#define VC_KERNEL_TABLE_BEST(type, table) \
    ((const type *)(const void *)vc_kernel_table_best(table, sizeof table / sizeof table[0], sizeof table[0]))

#endif
