// A C++ catch block is reached only by the unwinder, through the landing pad the LSDA
// (.gcc_except_table) names: no jump or call in the code leads to it. Its syscall (flock) and a
// destructor run during unwinding (fdatasync) must be in the static set.
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <unistd.h>

struct Guard {
  int fd;
  ~Guard() { fdatasync(fd); }
};

__attribute__((noinline)) static void work(int fd, const char *arg) {
  Guard g{fd};
  if (std::string(arg).size() > 0) throw std::runtime_error("thrown");
  write(fd, "x", 1);
}

int main(int argc, char **argv) {
  int fd = open(argc > 1 ? argv[1] : "/dev/null", O_RDWR | O_CREAT, 0600);
  try {
    work(fd, argc > 2 ? argv[2] : "go");
  } catch (const std::exception &) {
    flock(fd, LOCK_SH);
  }
  close(fd);
  return 0;
}
