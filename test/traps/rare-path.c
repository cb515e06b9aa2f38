/* The unlink is only reached with more than five arguments, which the traced run never passes:
 * the analysis must find it without seeing it run. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  puts("rare-path");
  if (argc > 5 && unlink(argv[1]) != 0) perror("unlink");
  return 0;
}
