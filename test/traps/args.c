/* Phase 3 (argument values): constant flags at the site, a family through a local wrapper and
 * libc's socket(), an OR of constants chosen at run time, and a value loaded from memory. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Loaded from memory at the call: no rule can hold it. */
volatile int prctl_option = PR_GET_DUMPABLE;

__attribute__((noinline)) static int open_socket(int family) { return socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0); }

int main(int argc, char **argv) {
  (void)argv;
  int a = open_socket(AF_INET);
  int b = open_socket(argc > 3 ? AF_INET6 : AF_UNIX);
  /* An OR of constants: CLONE_NEWUTS, plus CLONE_NEWIPC on a rare path. */
  int flags = CLONE_NEWUTS;
  if (argc > 5) flags |= CLONE_NEWIPC;
  if (argc > 4) unshare(flags);
  personality(0xffffffff); /* query only */
  prctl(prctl_option, 0, 0, 0, 0);
  if (a >= 0) close(a);
  if (b >= 0) close(b);
  return 0;
}
