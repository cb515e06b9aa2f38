// Syscalls through golang.org/x/sys/unix, whose Syscall/RawSyscall entry points are ABI0
// assembly reading the number from the stack ([rsp+8]), some numbers kept in package variables
// (fcntl64Syscall). Built as a PIE with cgo disabled.
package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	dir := os.Args[1]
	fd, err := unix.Open(dir+"/f", unix.O_CREAT|unix.O_RDWR, 0o644)
	if err != nil {
		panic(err)
	}
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		panic(err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		panic(err)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(unix.AT_FDCWD, dir+"/f", &st, 0); err != nil {
		panic(err)
	}
	if err := unix.Fchmod(fd, 0o600); err != nil {
		panic(err)
	}
	pg, _ := unix.Getpgid(0)
	name, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		panic(err)
	}
	unix.Close(fd)
	fmt.Println("ok", pg, name, st.Size)
}
