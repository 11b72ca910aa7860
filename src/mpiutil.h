/* mpiutil.h - vidclass internal MPI helpers (never installed). */
#ifndef VIDCLASS_MPIUTIL_H
#define VIDCLASS_MPIUTIL_H

#include <mpi.h>

/* Collective: every rank passes its own status; all return the status of the lowest
 * failing rank (VC_OK if none), and that rank's message becomes everyone's
 * vc_last_error(). The way any collective decision about errors is taken. */
int vc_mpi_agree(MPI_Comm comm, int rc);

/* Broadcast a malloc'd buffer of *len bytes from root; others receive a new malloc'd one. */
int vc_mpi_bcast_buf(MPI_Comm comm, int root, char **buf, long long *len);

#endif
