// CGO_ENABLED=0: syscall.Setgid/Setuid change every thread through AllThreadsSyscall, which
// signals each thread to repeat the call (runtime.runPerThreadSyscall loads the number from memory).
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

func main() {
	// Some threads first, so that there is someone to signal.
	for i := 0; i < 4; i++ {
		go func() { time.Sleep(50 * time.Millisecond) }()
	}
	time.Sleep(10 * time.Millisecond)
	if err := syscall.Setgid(os.Getgid()); err != nil {
		panic(err)
	}
	if err := syscall.Setuid(os.Getuid()); err != nil {
		panic(err)
	}
	fmt.Println("ids", os.Getuid(), os.Getgid())
}
