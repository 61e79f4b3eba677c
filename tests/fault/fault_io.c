/*
 * fault_io.c - an LD_PRELOAD library that makes chosen file operations fail, for the durability
 * tests (shared/security/REFERENCE.md catalogue 52-53):
 *   WIREDESK_FAULT_FSYNC=TEXT   fsync() and fdatasync() of a file whose path contains TEXT fail
 *                               with EIO;
 *   WIREDESK_FAULT_WRITE=TEXT   write() and pwrite() to such a file fail with ENOSPC.
 * The path is read back from /proc/self/fd. Everything else goes to libc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
matches(int fd, const char *env)
{
	const char *want = getenv(env);
	char link[64], path[4096];
	ssize_t n;

	if (want == NULL || want[0] == '\0')
		return 0;
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, want) != NULL;
}

/* Whether the call on fd is to fail: errno is set to err then. */
static int
fails(int fd, const char *env, int err)
{
	if (!matches(fd, env))
		return 0;
	errno = err;
	return 1;
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return fails(fd, "WIREDESK_FAULT_FSYNC", EIO) ? -1 : real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return fails(fd, "WIREDESK_FAULT_FSYNC", EIO) ? -1 : real(fd);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	return fails(fd, "WIREDESK_FAULT_WRITE", ENOSPC) ? -1 : real(fd, buf, n);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
	return fails(fd, "WIREDESK_FAULT_WRITE", ENOSPC) ? -1 : real(fd, buf, n, off);
}
