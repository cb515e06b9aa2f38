/* Built with -fno-plt: libc is called through GOT entries, with no PLT stubs in between. */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
  struct utsname u;
  char cwd[4096];
  if (uname(&u) != 0 || !getcwd(cwd, sizeof cwd)) return 1;
  if (mkdir("fno-plt.dir", 0700) == 0) rmdir("fno-plt.dir");
  printf("%s %s\n", u.sysname, cwd);
  return 0;
}
