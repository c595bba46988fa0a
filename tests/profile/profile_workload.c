/* The profiler's test workload: known functions, built with frame pointers.
 *
 *   profile_workload cpu SECONDS       hot_alpha does twice the work of hot_beta
 *   profile_workload syscalls SECONDS  write(2) of one byte to /dev/null, in a loop
 *   profile_workload block SECONDS     blocks in nanosleep: wait_long 40 ms, then
 *                                      wait_short 20 ms, in turn (off-CPU: 2/3, 1/3)
 *
 * Built at -O0 with frame pointers: GCC leaves a leaf function without a
 * frame at -O1 and above even with -fno-omit-frame-pointer.
 * The two hot functions run the same loop body, alpha for twice the
 * iterations, so alpha takes 2/3 of the CPU time and beta 1/3. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UNIT_ITERATIONS 200000UL

static volatile unsigned long sink;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The loops live in the two functions themselves (not in a shared helper),
 * so the sampled IP is inside them. */
__attribute__((noinline)) void hot_alpha(void)
{
	unsigned long x = sink;

	for (unsigned long i = 0; i < 2 * UNIT_ITERATIONS; ++i)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
}

__attribute__((noinline)) void hot_beta(void)
{
	unsigned long x = sink;

	for (unsigned long i = 0; i < UNIT_ITERATIONS; ++i)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
}

__attribute__((noinline)) static void syscall_loop(double until)
{
	int fd = open("/dev/null", O_WRONLY);
	char byte = 0;

	if (fd < 0)
		exit(1);
	while (now_s() < until)
		for (int i = 0; i < 1000; ++i)
			if (write(fd, &byte, 1) != 1)
				exit(1);
	close(fd);
}

/* The sleep itself, shared: libc's nanosleep has no frame of its own, so
 * the frame-pointer walk skips this helper and names its caller (wait_long
 * or wait_short) right above the libc leaf. */
__attribute__((noinline)) static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

__attribute__((noinline)) void wait_long(void)
{
	sleep_ms(40);
}

__attribute__((noinline)) void wait_short(void)
{
	sleep_ms(20);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s cpu|syscalls|block SECONDS\n", argv[0]);
		return 2;
	}
	double until = now_s() + atof(argv[2]);

	if (strcmp(argv[1], "syscalls") == 0) {
		syscall_loop(until);
		return 0;
	}
	if (strcmp(argv[1], "block") == 0) {
		while (now_s() < until) {
			wait_long();
			wait_short();
		}
		return 0;
	}
	while (now_s() < until) {
		hot_alpha();
		hot_beta();
	}
	return 0;
}
