// A module a musl program dlopens: its constructor and its exported function make syscalls the
// main program never makes itself.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

static long from_ctor;

__attribute__((constructor)) static void init(void) { from_ctor = sysconf(_SC_NPROCESSORS_ONLN); }

int module_probe(void) {
  struct utsname u;
  struct rlimit r;
  getrlimit(RLIMIT_NOFILE, &r);
  return uname(&u) + (int)from_ctor;
}
