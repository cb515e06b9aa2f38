/* Makes one raw syscall chosen on the command line and says by its exit status how it ended, so a
 * test can try a value a policy's argument rule does not allow: `syscall-probe NR ARG...`, each ARG
 * a number (strtoull, base 0) or @pid, @tid, @buf (a scratch buffer). Exit 0: it succeeded; 1: EPERM
 * (what a seccomp filter's ERRNO(EPERM) gives); 2: another error; 3: bad usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char scratch[8192] __attribute__((aligned(4096)));

static long arg(const char *s) {
  if (strcmp(s, "@pid") == 0) return getpid();
  if (strcmp(s, "@tid") == 0) return gettid();
  if (strcmp(s, "@buf") == 0) return (long)scratch;
  char *end;
  unsigned long long v = strtoull(s, &end, 0);
  if (*s == '\0' || *end != '\0') exit(3);
  return (long)v;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 8) return 3;
  long a[6] = {0};
  for (int i = 2; i < argc; i++) a[i - 2] = arg(argv[i]);
  long r = syscall(arg(argv[1]), a[0], a[1], a[2], a[3], a[4], a[5]);
  if (r != -1) return 0;
  return errno == EPERM ? 1 : 2;
}
