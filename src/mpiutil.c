/* mpiutil.c - collective error agreement and buffer broadcast. */
#include "mpiutil.h"
#include "vidclass/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vc_mpi_error(int mpi_code, const char *call, const char *func)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    if (MPI_Error_string(mpi_code, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "MPI error %d", mpi_code);
    return vc_error(VC_ERR_MPI, "%s: %s failed: %s", func, call, text);
}

int vc_mpi_check(int mpi_code, const char *call, const char *func)
{
    return mpi_code == MPI_SUCCESS ? VC_OK : vc_mpi_error(mpi_code, call, func);
}

int vc_mpi_dup_returning(MPI_Comm comm, MPI_Comm *out)
{
    VC_CHECK_MPI(MPI_Comm_dup(comm, out));
    VC_CHECK_MPI(MPI_Comm_set_errhandler(*out, MPI_ERRORS_RETURN));
    return VC_OK;
}

int vc_mpi_agree(MPI_Comm comm, int rc)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int mine = rc != VC_OK ? rank : size, first = size;
    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
        return vc_error(VC_ERR_MPI, "MPI_Allreduce failed while agreeing on errors");
    if (first == size)
        return VC_OK;
    struct { int code; char msg[1000]; } e;
    memset(&e, 0, sizeof e);
    if (rank == first) {
        e.code = rc;
        strncpy(e.msg, vc_last_error(), sizeof e.msg - 1);
    }
    if (MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, comm) != MPI_SUCCESS)
        return vc_error(VC_ERR_MPI, "MPI_Bcast failed while agreeing on errors");
    if (rank != first)
        vc_error(e.code, "%s%s (reported by rank %d)", e.msg, e.msg[0] ? "" : "error", first);
    return e.code;
}

int vc_mpi_bcast_buf(MPI_Comm comm, int root, char **buf, long long *len)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    if (MPI_Bcast(len, 1, MPI_LONG_LONG, root, comm) != MPI_SUCCESS)
        return vc_error(VC_ERR_MPI, "%s: MPI_Bcast of the length failed", __func__);
    if (rank != root) {
        *buf = malloc((size_t)(*len ? *len : 1));
        if (!*buf)
            return vc_error(VC_ERR_NOMEM, "%s: out of memory for %lld bytes", __func__, *len);
    }
    /* in pieces: MPI counts are int */
    for (long long off = 0; off < *len; off += 1 << 30) {
        int n = (int)(*len - off < (1 << 30) ? *len - off : (1 << 30));
        if (MPI_Bcast(*buf + off, n, MPI_BYTE, root, comm) != MPI_SUCCESS)
            return vc_error(VC_ERR_MPI, "%s: MPI_Bcast failed", __func__);
    }
    return VC_OK;
}
