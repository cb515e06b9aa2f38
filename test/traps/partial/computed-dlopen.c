// A plugin loader: the library's name and the function's name come from the command line.
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 3) return 0;
  void *h = dlopen(argv[1], RTLD_NOW);
  void (*f)(void) = h ? (void (*)(void))dlsym(h, argv[2]) : 0;
  if (f) f();
  return h ? 0 : 1;
}
