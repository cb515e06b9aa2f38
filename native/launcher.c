/*
 * confine-launch: runs a hardened program under its own seccomp filter (`confine harden`).
 *
 * `confine harden` puts this file at the program's path P = DIR/NAME and moves the program aside
 * within DIR, so that every way of starting it (the entrypoint, a script's `exec`, a PATH lookup,
 * `docker exec`, a symlink to P) comes through here:
 *
 *   DIR/.confine-NAME        the program itself (same directory: $ORIGIN and /proc/self/exe
 *                            lookups see the directory they always saw)
 *   DIR/.confine/NAME        a symlink to ../.confine-NAME: exec'ing through it gives the process
 *                            the task name NAME (the kernel takes it from the exec'd path), so
 *                            ps, pidof and pkill still know it
 *   DIR/.confine/NAME.bpf    its filter, raw seccomp BPF (confine-bpfc's output)
 *
 * P is found from /proc/self/exe, so a symlink to P works and argv is passed on untouched (argv[0]
 * stays what the caller chose: multi-call binaries keep dispatching on it). The filter is loaded
 * after no_new_privs, and seccomp filters stack: the program runs under the container-wide filter
 * and its own. After loading, this program makes only execve, and on failure write and exit_group;
 * the policy of every hardened program adds those three (analysis/policy/launched-policy.ts). A
 * hardened program that can exec runs the next launcher under its own filter: its filter also
 * allows this program's start-up (analysis/harden/program-filter.ts).
 *
 * Exit codes follow docker run's: 125 when the filter cannot be read or loaded (the program is
 * not started), 126 when the program cannot be exec'd, 127 when it is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static void fail(int code, const char *what, const char *path) {
  dprintf(2, "confine-launch: %s%s%s: %s\n", path ? path : "", path ? ": " : "", what, strerror(errno));
  _exit(code);
}

int main(int argc, char **argv) {
  (void)argc;
  static char self[PATH_MAX], real[PATH_MAX + 16], filter[PATH_MAX + 16];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n >= (ssize_t)sizeof self - 1) errno = ENAMETOOLONG;
  if (n <= 0 || n >= (ssize_t)sizeof self - 1) fail(125, "cannot find this program's own path in /proc/self/exe", NULL);
  self[n] = 0;
  char *slash = strrchr(self, '/');
  if (!slash) {
    errno = EINVAL;
    fail(125, "odd path in /proc/self/exe", self);
  }
  *slash = 0;
  const char *name = slash + 1;
  if (snprintf(real, sizeof real, "%s/.confine/%s", self, name) >= (int)sizeof real || snprintf(filter, sizeof filter, "%s/.confine/%s.bpf", self, name) >= (int)sizeof filter) {
    errno = ENAMETOOLONG;
    fail(125, "the hardened program's path is too long", self);
  }

  int fd = open(filter, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(125, "cannot open the program's seccomp filter", filter);
  struct stat st;
  if (fstat(fd, &st)) fail(125, "cannot stat the seccomp filter", filter);
  if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) || st.st_size > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter)) {
    errno = EINVAL;
    fail(125, "not a seccomp BPF program (size)", filter);
  }
  struct sock_filter *insns = malloc((size_t)st.st_size);
  if (!insns) fail(125, "out of memory", NULL);
  for (off_t got = 0; got < st.st_size;) {
    ssize_t r = read(fd, (char *)insns + got, (size_t)(st.st_size - got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) fail(125, "cannot read the seccomp filter", filter);
    got += r;
  }
  close(fd);
  struct sock_fprog prog = {.len = (unsigned short)(st.st_size / sizeof(struct sock_filter)), .filter = insns};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) fail(125, "cannot set no_new_privs", NULL);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) fail(125, "the kernel refused the seccomp filter", filter);

  execve(real, argv, environ);
  /* Only write and exit_group from here on: the filter allows nothing else of ours (so no
     strerror, whose message catalogues would be opened). */
  int err = errno, code = err == ENOENT ? 127 : 126;
  char num[16], *p = num + sizeof num;
  *--p = '\n';
  do *--p = (char)('0' + err % 10);
  while ((err /= 10) && p > num);
  static const char msg[] = "confine-launch: cannot execute the hardened program ";
  if (write(2, msg, sizeof msg - 1) >= 0 && write(2, real, strlen(real)) >= 0 && write(2, ": errno ", 8) >= 0)
    if (write(2, p, (size_t)(num + sizeof num - p)) < 0) _exit(code);
  _exit(code);
}
