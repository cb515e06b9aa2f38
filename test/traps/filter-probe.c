/* Filter probe (issue 12): run under confine-launch with a filter compiled from its own analysed
 * policy, with getppid denied by review and MADV_DONTNEED removed from madvise's rule by review.
 * Prints one line per probe, "name result errno", for the test to compare:
 *   getpid      allowed: the pid
 *   getppid     denied by the review: -1 EPERM
 *   madvise0    MADV_NORMAL, a value of the rule: 0
 *   madvise4    MADV_DONTNEED, removed from the rule: -1 EPERM
 *   x32         getpid with the x32 bit: -1 EPERM (the filter refuses the x32 ABI)
 *   beyond      a number above any syscall table: -1 ENOSYS (the filter's answer above its table)
 * Each number and argument is a constant at its call, so the analysis sees every one. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *name, long r) {
  printf("%s %ld %d\n", name, r, r < 0 ? errno : 0);
}

int main(void) {
  char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  show("getpid", syscall(SYS_getpid) > 0 ? 1 : -1);
  errno = 0;
  show("getppid", syscall(SYS_getppid));
  errno = 0;
  show("madvise0", madvise(p, 4096, MADV_NORMAL));
  errno = 0;
  show("madvise4", madvise(p, 4096, MADV_DONTNEED));
  errno = 0;
  show("x32", syscall(0x40000000 | SYS_getpid));
  errno = 0;
  show("beyond", syscall(1000));
  return 0;
}
