/* mpiutil.h - vidclass internal MPI helpers (never installed). */
#ifndef VIDCLASS_MPIUTIL_H
#define VIDCLASS_MPIUTIL_H

#include <mpi.h>

/* Collective: every rank passes its own status; all return the status of the lowest
 * failing rank (VC_OK if none), and that rank's message becomes everyone's
 * vc_last_error(). The way any collective decision about errors is taken. */
int vc_mpi_agree(MPI_Comm comm, int rc);

/* The status and message for a failed MPI call (its text from MPI_Error_string). */
int vc_mpi_error(int mpi_code, const char *call, const char *func);

/* VC_MPI(call): the call's vidclass status (VC_OK, or VC_ERR_MPI with a message naming
 * the call). VC_CHECK_MPI(call): return that error from the enclosing function.
 * Communicators used with them have MPI_ERRORS_RETURN set (vc_mpi_dup_returning), so a
 * failing call returns instead of aborting the job. */
int vc_mpi_check(int mpi_code, const char *call, const char *func);
#define VC_MPI(call) vc_mpi_check((call), #call, __func__)
#define VC_CHECK_MPI(call)                                                  \
    do {                                                                    \
        int vc_mpi_rc_ = VC_MPI(call);                                      \
        if (vc_mpi_rc_ != 0) return vc_mpi_rc_;                             \
    } while (0)

/* A duplicate of comm whose MPI errors return codes (MPI_ERRORS_RETURN). */
int vc_mpi_dup_returning(MPI_Comm comm, MPI_Comm *out);

/* Broadcast a malloc'd buffer of *len bytes from root; others receive a new malloc'd one. */
int vc_mpi_bcast_buf(MPI_Comm comm, int root, char **buf, long long *len);

#endif
