// Loads its module by a constant name, found through DT_RUNPATH ($ORIGIN/../lib), and calls it.
#include <dlfcn.h>
#include <stdio.h>

int main(void) {
  void *h = dlopen("libmusl-mod.so", RTLD_NOW);
  if (!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  int (*probe)(void) = (int (*)(void))dlsym(h, "module_probe");
  if (!probe) return 2;
  printf("probe %d\n", probe());
  return 0;
}
