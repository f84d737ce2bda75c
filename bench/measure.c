/*
 * measure.c - run a program (or COUNT copies at once) and report its wall
 * time and rusage, for bench.py.
 *
 *     measure -o REPORT [-e ERRFILE] [-n COUNT] -- PROGRAM [ARG...]
 *
 * Why not spawn from Python: Linux keeps a process's peak RSS across
 * execve, and a child spawned from the Python harness starts with the
 * harness's ~30 MB address space (a vfork shares it, a fork copies it), so
 * ru_maxrss would report the harness instead of the tool. This helper is
 * small, so the peak it passes on is well under any tool's own.
 *
 * Children get stdin and stdout on /dev/null, stderr appended to ERRFILE
 * (or /dev/null), and this process's environment. REPORT receives one JSON
 * object: wall_ns (first spawn to last reap), spawn_ns (time to start them
 * all), and per child: exit status, user_us, sys_us, maxrss_kb and
 * minflt (minor page faults, the exec'd program's included).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(void)
{
	fputs("usage: measure -o REPORT [-e ERRFILE] [-n COUNT] -- PROGRAM [ARG...]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *report = NULL, *errfile = "/dev/null";
	long count = 1;
	int opt;
	posix_spawn_file_actions_t fa;
	pid_t *pids;
	int *status;
	struct rusage *ru;
	long long t0, t_spawned, t1;
	FILE *out;

	while ((opt = getopt(argc, argv, "o:e:n:")) != -1) {
		switch (opt) {
		case 'o':
			report = optarg;
			break;
		case 'e':
			errfile = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (report == NULL || optind >= argc || count < 1 || count > 10000)
		usage();
	pids = calloc((size_t)count, sizeof(*pids));
	status = calloc((size_t)count, sizeof(*status));
	ru = calloc((size_t)count, sizeof(*ru));
	if (pids == NULL || status == NULL || ru == NULL)
		return 2;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errfile, O_WRONLY | O_CREAT | O_APPEND, 0600);

	t0 = now_ns();
	for (long i = 0; i < count; i++) {
		int rc = posix_spawn(&pids[i], argv[optind], &fa, NULL, argv + optind, environ);

		if (rc != 0) {
			fprintf(stderr, "measure: unable to run %s: %s\n", argv[optind], strerror(rc));
			pids[i] = -1;
			status[i] = 127 << 8;
		}
	}
	t_spawned = now_ns();
	for (long i = 0; i < count; i++) {
		if (pids[i] < 0)
			continue;
		while (wait4(pids[i], &status[i], 0, &ru[i]) < 0) {
			if (errno != EINTR) {
				status[i] = 127 << 8;
				break;
			}
		}
	}
	t1 = now_ns();

	if ((out = fopen(report, "w")) == NULL)
		return 2;
	fprintf(out, "{\"wall_ns\":%lld,\"spawn_ns\":%lld,\"children\":[", t1 - t0, t_spawned - t0);
	for (long i = 0; i < count; i++) {
		int code = WIFEXITED(status[i]) ? WEXITSTATUS(status[i]) : 128 + WTERMSIG(status[i]);

		fprintf(out,
			"%s{\"exit\":%d,\"user_us\":%lld,\"sys_us\":%lld,\"maxrss_kb\":%ld,"
			"\"minflt\":%ld}",
			i ? "," : "", code,
			(long long)ru[i].ru_utime.tv_sec * 1000000 + ru[i].ru_utime.tv_usec,
			(long long)ru[i].ru_stime.tv_sec * 1000000 + ru[i].ru_stime.tv_usec,
			ru[i].ru_maxrss, ru[i].ru_minflt);
	}
	fputs("]}\n", out);
	return fclose(out) == 0 ? 0 : 2;
}
