/* A constant table of function pointers, called by an index that comes from argv. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static long call_getgid(void) { return getgid(); }
static long call_geteuid(void) { return geteuid(); }
static long call_umask(void) { return umask(022); }

static long (*const table[])(void) = {call_getgid, call_geteuid, call_umask};

int main(int argc, char **argv) {
  int i = argc > 1 ? atoi(argv[1]) : 0;
  if (i < 0 || i >= (int)(sizeof table / sizeof table[0])) return 2;
  printf("%ld\n", table[i]());
  return 0;
}
