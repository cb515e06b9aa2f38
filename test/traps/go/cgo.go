// cgo: Go code, C code it calls, and libc underneath, in one binary.
package main

/*
#include <unistd.h>
#include <sys/syscall.h>
static long c_side(void) { return syscall(SYS_getcpu, 0, 0, 0) + getppid(); }
*/
import "C"

import (
	"fmt"
	"os"
)

func main() {
	host, _ := os.Hostname()
	fmt.Println(int(C.c_side()), host)
}
