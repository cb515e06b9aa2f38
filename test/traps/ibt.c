/* Built for CET (-fcf-protection=full, -z ibtplt): endbr64 everywhere and the .plt.sec layout. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>

int main(void) {
  struct rusage ru;
  struct tms t;
  struct sysinfo si;
  if (getrusage(RUSAGE_SELF, &ru) != 0 || sysinfo(&si) != 0) return 1;
  clock_t ticks = times(&t);
  printf("%ld %ld %ld\n", ru.ru_maxrss, (long)ticks, si.uptime);
  return 0;
}
