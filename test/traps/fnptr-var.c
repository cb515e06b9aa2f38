/* A writable function pointer reassigned at run time: the call through it may reach the new target,
 * not only the one it was initialised with. */
#include <stdio.h>
#include <unistd.h>

static long quiet(void) { return getgid(); }
static long loud(void) { return getpgrp(); }

long (*hook)(void) = quiet;

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) hook = loud;
  printf("%ld\n", hook());
  return 0;
}
