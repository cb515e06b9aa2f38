// A JIT in miniature: writable and executable memory it fills with code at run time.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void) {
  unsigned char *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) return 1;
  const unsigned char ret42[] = {0xb8, 42, 0, 0, 0, 0xc3}; /* mov eax, 42; ret */
  memcpy(code, ret42, sizeof ret42);
  printf("%d\n", ((int (*)(void))code)());
  return 0;
}
