// A JIT runtime's probe: find pkey_alloc by name at run time (dlsym(RTLD_DEFAULT, ...)) and call it
// through the pointer. Nothing else in the program refers to pkey_alloc.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

typedef int (*pkey_alloc_fn)(unsigned int, unsigned int);

int main(void) {
  pkey_alloc_fn f = (pkey_alloc_fn)dlsym(RTLD_DEFAULT, "pkey_alloc");
  if (!f) return 1;
  int key = f(0, 0);
  printf("pkey_alloc: %d\n", key);
  return 0;
}
