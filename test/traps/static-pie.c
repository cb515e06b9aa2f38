/* A glibc -static-pie program: libc is inside the executable and there is no interpreter. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  cpu_set_t cpus;
  char buf[64];
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) return 1;
  int fd = open("/proc/self/stat", O_RDONLY);
  if (fd < 0) return 1;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  printf("%d %zd %d\n", CPU_COUNT(&cpus), n, (int)getpid());
  return 0;
}
