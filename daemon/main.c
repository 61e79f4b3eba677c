/* main.c - the wiredesk command line. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "usage: wiredesk parse FILE\n");
	return 64;
}
