/*
 * vidclass/version.h - which vidclass this is, and what it was built with.
 *
 * The numbers below are the one place the version is written: CMakeLists.txt reads them
 * for project(VERSION), vidclass.pc and the CMake package.
 *
 *     printf("vidclass %s (%s)\n", vc_version(), vc_version_git());
 */
#ifndef VIDCLASS_VERSION_H
#define VIDCLASS_VERSION_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIDCLASS_VERSION_MAJOR 0
#define VIDCLASS_VERSION_MINOR 2
#define VIDCLASS_VERSION_PATCH 0
/** One integer for comparisons: 10000 * major + 100 * minor + patch. */
#define VIDCLASS_VERSION_NUMBER (VIDCLASS_VERSION_MAJOR * 10000 + VIDCLASS_VERSION_MINOR * 100 + VIDCLASS_VERSION_PATCH)

/** "MAJOR.MINOR.PATCH" of the library linked (may differ from the header compiled against). */
const char *vc_version(void);

/** The git revision the library was built from ("1a2b3c4d5e6f", with "-dirty" when the
 *  tree had changes; "unknown" outside a git checkout). */
const char *vc_version_git(void);

/** The text of every tool's --version: the tool and vidclass version, the git revision,
 *  the build options, the CPU paths chosen at run time and the versions of OpenBLAS,
 *  FFmpeg, HDF5, MPI, libyaml and jansson actually loaded. */
void vc_version_print(FILE *f, const char *tool);

/** 1 if argv holds "--version" before any "--" (each tool prints vc_version_print and
 *  exits 0 before reading anything else), else 0. */
int vc_version_requested(int argc, char *const *argv);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_VERSION_H */
