// A small musl program doing what services do at start: threads, dropping ids, signals, reading
// a file through stdio, sleeping, making a directory, forking a child and waiting for it.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *worker(void *arg) {
  struct timespec ts = {0, 1000000};
  nanosleep(&ts, 0);
  return arg;
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv) {
  pthread_t th;
  if (pthread_create(&th, 0, worker, 0) || pthread_join(th, 0)) return 1;
  if (setgid(getgid()) || setuid(getuid())) return 2;
  signal(SIGUSR1, on_usr1);
  raise(SIGUSR1);
  char path[256];
  snprintf(path, sizeof path, "%s/made", argc > 1 ? argv[1] : "/tmp");
  mkdir(path, 0755);
  FILE *f = fopen("/proc/self/status", "r");
  char line[128];
  int lines = 0;
  while (f && fgets(line, sizeof line, f)) lines++;
  if (f) fclose(f);
  pid_t child = fork();
  if (child == 0) _exit(7);
  int status = 0;
  waitpid(child, &status, 0);
  printf("lines %d child %d\n", lines, WEXITSTATUS(status));
  return 0;
}
