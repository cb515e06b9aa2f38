// Syscalls reached only through indirect calls: interface methods (itabs), closures (funcvals),
// a goroutine, and a method found by name through reflection, named on the command line.
package main

import (
	"fmt"
	"os"
	"reflect"
	"syscall"
)

type Doer interface{ Do() int }

type info struct{}

func (info) Do() int {
	var si syscall.Sysinfo_t
	syscall.Sysinfo(&si)
	return int(si.Procs)
}

type Probe struct{}

// Called only by reflection, with its name from argv.
func (Probe) Sync() { syscall.Sync() }

// Called only by reflection, never in the traced run.
func (Probe) Umask() { syscall.Umask(0o22) }

func pick(n int) func() int {
	if n > 100 {
		return func() int { return syscall.Getppid() }
	}
	return func() int { return syscall.Getuid() }
}

func main() {
	var d Doer = info{}
	if len(os.Args) > 5 {
		d = nil
	}
	done := make(chan int)
	go func() { done <- d.Do() }()
	fmt.Println(<-done, pick(len(os.Args))())
	m := reflect.ValueOf(Probe{}).MethodByName(os.Args[1])
	if m.IsValid() {
		m.Call(nil)
	}
}
