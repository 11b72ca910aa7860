/* gemm_kernel_table.c - looking kernels up in a product's table (see gemm_kernel_table.h). */
#include "gemm_kernel_table.h"

#include <string.h>

static const struct vc_kernel_info *entry(const void *table, size_t i, size_t size)
{
    return (const struct vc_kernel_info *)(const void *)((const char *)table + i * size);
}

const struct vc_kernel_info *vc_kernel_table_find(const void *table, size_t count, size_t size, const char *name)
{
    for (size_t i = 0; name && i < count; i++)
        if (strcmp(entry(table, i, size)->name, name) == 0)
            return entry(table, i, size);
    return NULL;
}

const struct vc_kernel_info *vc_kernel_table_best(const void *table, size_t count, size_t size)
{
    for (size_t i = 0; i < count; i++)
        if (entry(table, i, size)->supported())
            return entry(table, i, size);
    return NULL;
}
