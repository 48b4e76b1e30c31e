/* cli/alloc.h - the one gate of shakedown's own heap allocations (see cli/alloc.c). */
#ifndef SD_CLI_ALLOC_H
#define SD_CLI_ALLOC_H

#include <stdint.h>

/*
 * The shakedown executable is linked with -Wl,--wrap=malloc,calloc,realloc,strdup,strndup,
 * open_memstream: every call that shakedown's own code makes (all layers, including the
 * static libraries) goes through cli/alloc.c, which counts the ones that return NULL.
 * Nothing needs to call a wrapper by name: plain malloc() is the entry point.
 * Third-party libraries (OpenSSL, nDPI, libpcap, hiredis) allocate on their own.
 *
 * In a build configured with -DSD_ALLOC_FAIL=ON the gate also injects failures, from the
 * environment (read once, before main):
 *   SD_ALLOC_FAIL=0      count only; at exit print "shakedown: allocfail: <count> allocations,
 *                        packets from #P, output from #O" on stderr (the first allocation
 *                        of each phase; 0: the run did not reach it)
 *   SD_ALLOC_FAIL=N      the Nth allocation (1-based) returns NULL, the others succeed
 *   SD_ALLOC_FAIL=N+     the Nth and every later allocation return NULL
 * and at exit prints one line: "shakedown: allocfail: <count> allocations, <k> failed,
 * first at #N in phase <setup|packets|output>" (the phase is set by sd_alloc_phase()).
 */

/* Allocations that returned NULL so far (injected or real): each dropped something. */
uint64_t	sd_alloc_failures(void);

/* Tests (a -DSD_ALLOC_FAIL build only): the kth allocation from now fails (1: the next),
 * as SD_ALLOC_FAIL=N would; 0 disarms. */
void	sd_alloc_fail_in(uint64_t k);

/* Where the run is, for the injection report only: "setup", "packets", "output". */
void	sd_alloc_phase(const char *);

#endif /* SD_CLI_ALLOC_H */
