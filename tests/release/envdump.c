/*
 * envdump: the program envssm becomes in the release tests. Writes its
 * environment to stdout, each NAME=value followed by a NUL byte, then exits
 * with the status given as its one optional argument (default 0).
 *
 *   cc -static -o envdump tests/release/envdump.c
 *   envdump [STATUS]
 *
 * Built static so that it runs in an image that holds nothing else.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc > 2)
		return 2;
	if (argc == 2) {
		char *end = NULL;
		long v = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || v < 0 || v > 255)
			return 2;
		status = (int)v;
	}
	for (char **e = environ; *e != NULL; e++) {
		if (write_all(*e, strlen(*e) + 1) != 0)
			return 3;
	}
	return status;
}
