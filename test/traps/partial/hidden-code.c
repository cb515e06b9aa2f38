// Code nothing refers to by any means the analysis follows: a large block of executable bytes
// (with syscall instructions in it) reached only through an address computed at run time.
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

extern void hidden_blob(void);
__asm__(".text\n.p2align 4\nhidden_blob_code:\n"
        ".rept 4000\nmov $39, %eax\nsyscall\nnop\n.endr\nret\n"
        ".globl hidden_blob\n.set hidden_blob, hidden_blob_code\n");

int main(int argc, char **argv) {
  // The address is computed, not taken: the analysis cannot see where the call goes.
  uintptr_t p = (uintptr_t)argc * 0x1000;
  if (argc > 99) ((void (*)(void))p)();
  printf("%d\n", (int)getpid());
  return 0;
}
