/* Syscalls made only from code that libc calls back: a qsort comparator and an atexit handler. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int by_value(const void *a, const void *b) {
  (void)getuid();
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static void at_exit_flush(void) {
  fflush(stdout);
  /* stdout is a pipe in the test, so this fails with EINVAL: the call is still made. */
  (void)fsync(STDOUT_FILENO);
}

int main(void) {
  int v[] = {3, 1, 2};
  atexit(at_exit_flush);
  qsort(v, 3, sizeof v[0], by_value);
  printf("%d %d %d\n", v[0], v[1], v[2]);
  return 0;
}
