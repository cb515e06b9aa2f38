/* dlopen of a constant absolute path (LIBPATH, set by the build), then a call through dlsym. */
#include <dlfcn.h>
#include <stdio.h>

#ifndef LIBPATH
#error "build with -DLIBPATH='\"/absolute/path/to/library.so\"'"
#endif

int main(void) {
  void *lib = dlopen(LIBPATH, RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  int (*entry)(void) = (int (*)(void))dlsym(lib, "trap_entry");
  if (!entry) return 1;
  printf("%d\n", entry());
  dlclose(lib);
  return 0;
}
