/* bench_util.h - what every benchmark program needs: CPU time, medians, a whole file in memory. */
#ifndef WIREDESK_BENCH_UTIL_H
#define WIREDESK_BENCH_UTIL_H

#include <stddef.h>

double	cpu_now(void);			/* this process's CPU seconds */
double	median(double *v, int n);	/* sorts v */
char	*slurp(const char *path, size_t *len);	/* the file's bytes (caller free()s), or NULL */

#endif
