/* syscall(2) with a constant number, directly and through a wrapper that receives the number
 * as an argument. noipa keeps gcc from inlining or specialising the wrapper, so the number
 * only meets syscall() at run time, as in real code. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((noipa)) static long my_sys(long n) { return syscall(n); }

int main(void) {
  long pid = syscall(SYS_getpid);
  long ppid = my_sys(SYS_getppid);
  printf("%ld %ld\n", pid, ppid);
  return 0;
}
