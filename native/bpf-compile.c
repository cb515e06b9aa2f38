/*
 * confine-bpfc: compiles a policy to the seccomp BPF program the kernel loads, with libseccomp (the
 * library Docker's runc and systemd use), and writes the raw program (struct sock_filter[]) to
 * stdout. analysis/policy/bpf-compile.ts writes the input; its format, one directive per line:
 *
 *   default ACTION            what a syscall no rule matches gets
 *   enosys-above NR           x86-64 numbers above NR (newer than the tool's table) get ERRNO(ENOSYS)
 *   rule ACTION NR [ARG OP A [B]]...
 *                             a rule; its comparisons are ANDed, rules of one syscall ORed
 *   ACTION: allow | log | kill | errno N       OP: eq ne lt le gt ge masked_eq (A mask, B value)
 *
 * The filter accepts x86-64 only: another architecture, and an x32 number (bit 0x40000000) on
 * x86-64, get the default action (libseccomp's bad-architecture action, and its x32 check).
 *
 * libseccomp cannot express "every number above N"; runc answers that case with a hand-written
 * prefix in front of libseccomp's program, and so does this: three comparisons that send an x86-64,
 * non-x32 number above NR to ERRNO(ENOSYS) and everything else on to libseccomp's program.
 *
 * Exit 0 with the program on stdout; exit 2 with a one-line message naming the input line otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void die(int line, const char *what) {
  if (line > 0) fprintf(stderr, "confine-bpfc: input line %d: %s\n", line, what);
  else fprintf(stderr, "confine-bpfc: %s\n", what);
  exit(2);
}

/* Parses an action at *s, advancing past it. */
static int parse_action(char **s, uint32_t *act) {
  char *tok = strtok_r(NULL, " \t\n", s);
  if (!tok) return -1;
  if (!strcmp(tok, "allow")) *act = SCMP_ACT_ALLOW;
  else if (!strcmp(tok, "log")) *act = SCMP_ACT_LOG;
  else if (!strcmp(tok, "kill")) *act = SCMP_ACT_KILL_PROCESS;
  else if (!strcmp(tok, "errno")) {
    char *n = strtok_r(NULL, " \t\n", s), *end;
    if (!n) return -1;
    unsigned long e = strtoul(n, &end, 10);
    if (*end || e > 4095) return -1;
    *act = SCMP_ACT_ERRNO((uint16_t)e);
  } else return -1;
  return 0;
}

static int parse_u64(const char *tok, uint64_t *v) {
  char *end;
  if (!tok || !*tok) return -1;
  errno = 0;
  *v = strtoull(tok, &end, 0);
  return (*end || errno) ? -1 : 0;
}

static int parse_op(const char *tok, enum scmp_compare *op) {
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
    {"eq", SCMP_CMP_EQ}, {"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE},
    {"gt", SCMP_CMP_GT}, {"ge", SCMP_CMP_GE}, {"masked_eq", SCMP_CMP_MASKED_EQ},
  };
  for (size_t i = 0; tok && i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(tok, ops[i].name)) { *op = ops[i].op; return 0; }
  return -1;
}

int main(void) {
  char *buf = NULL;
  size_t cap = 0;
  int line = 0, have_default = 0;
  uint32_t def = 0;
  uint64_t enosys_above = 0;
  scmp_filter_ctx ctx = NULL;

  while (getline(&buf, &cap, stdin) >= 0) {
    line++;
    char *save = NULL, *tok = strtok_r(buf, " \t\n", &save);
    if (!tok || tok[0] == '#') continue;
    if (!strcmp(tok, "default")) {
      if (ctx) die(line, "default given twice");
      if (parse_action(&save, &def)) die(line, "bad action");
      ctx = seccomp_init(def);
      if (!ctx) die(line, "libseccomp refused the default action");
      /* Another architecture gets the default action too, not libseccomp's KILL. */
      if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, def)) die(line, "libseccomp refused the bad-architecture action");
      /* A binary tree over the syscall numbers: a few comparisons per syscall, not one per rule. */
      seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
      have_default = 1;
    } else if (!strcmp(tok, "enosys-above")) {
      if (parse_u64(strtok_r(NULL, " \t\n", &save), &enosys_above) || enosys_above >= 0x40000000) die(line, "bad number");
    } else if (!strcmp(tok, "rule")) {
      uint32_t act;
      uint64_t nr;
      struct scmp_arg_cmp cmp[6];
      unsigned n = 0;
      if (!have_default) die(line, "a rule before the default action");
      if (parse_action(&save, &act)) die(line, "bad action");
      if (parse_u64(strtok_r(NULL, " \t\n", &save), &nr) || nr >= 0x40000000) die(line, "bad syscall number");
      while ((tok = strtok_r(NULL, " \t\n", &save))) {
        uint64_t arg, a, b = 0;
        enum scmp_compare op;
        if (n == 6) die(line, "more than six comparisons");
        if (parse_u64(tok, &arg) || arg > 5) die(line, "bad argument index");
        if (parse_op(strtok_r(NULL, " \t\n", &save), &op)) die(line, "bad comparison");
        if (parse_u64(strtok_r(NULL, " \t\n", &save), &a)) die(line, "bad operand");
        if (op == SCMP_CMP_MASKED_EQ && parse_u64(strtok_r(NULL, " \t\n", &save), &b)) die(line, "bad masked value");
        cmp[n++] = (struct scmp_arg_cmp){ .arg = (unsigned)arg, .op = op, .datum_a = a, .datum_b = b };
      }
      int rc = seccomp_rule_add_exact_array(ctx, act, (int)nr, n, cmp);
      if (rc) {
        char msg[160];
        snprintf(msg, sizeof msg, "libseccomp refused the rule for syscall %" PRIu64 ": %s", nr, strerror(-rc));
        die(line, msg);
      }
    } else die(line, "unknown directive");
  }
  free(buf);
  if (!have_default) die(0, "no default action in the input");

  int fd = memfd_create("confine-bpf", 0);
  if (fd < 0) die(0, "memfd_create failed");
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc) die(0, "libseccomp could not export the program");
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter)) die(0, "libseccomp exported no program");
  struct sock_filter *prog = malloc((size_t)size);
  if (!prog || pread(fd, prog, (size_t)size, 0) != size) die(0, "could not read libseccomp's program back");

  struct sock_filter prefix[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),                            /* 0: A = arch */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),      /* 1: not x86-64: to 6 */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),                            /* 2: A = nr */
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 2, 0),             /* 3: x32: to 6 */
    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)enosys_above, 0, 1), /* 4: known: to 6 */
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 38),                /* 5: ENOSYS */
  };
  size_t nprefix = enosys_above ? sizeof prefix / sizeof prefix[0] : 0;
  size_t total = nprefix + (size_t)size / sizeof(struct sock_filter);
  if (total > BPF_MAXINSNS) die(0, "the program is longer than the kernel's limit of 4096 instructions");
  if (fwrite(prefix, sizeof prefix[0], nprefix, stdout) != nprefix || fwrite(prog, 1, (size_t)size, stdout) != (size_t)size || fflush(stdout))
    die(0, "could not write the program");
  seccomp_release(ctx);
  return 0;
}
