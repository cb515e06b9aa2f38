// A CGO_ENABLED=0 HTTP server, the shape of a small Go service (the Go test image's server, and
// the Go trap program of test/go.test.ts): it prepares a data directory,
// checks its limits, serves on the loopback address given as argv[1], runs a helper program for
// one request, and exits after a request to /quit. Built stripped and non-PIE, with no dynamic
// section at all.
package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: server ADDR DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	// The helper the /exec handler runs, run once at start too: a container's phase 1 sees it.
	if len(os.Args) > 3 && os.Args[3] == "--exec-at-start" {
		if err := exec.Command("/bin/echo", "ready").Run(); err != nil {
			panic(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "data", "sub"), 0o755); err != nil {
		panic(err)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}
	_ = os.Symlink("data", filepath.Join(dir, "link"))
	if _, err := os.Readlink(filepath.Join(dir, "link")); err != nil {
		panic(err)
	}
	srv := &http.Server{Addr: os.Args[1]}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s, %d files allowed\n", r.URL.Path, lim.Cur)
	})
	http.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(dir, "data", "sub", "f.txt")
		if err := os.WriteFile(p, []byte("content\n"), 0o644); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		http.ServeFile(w, r, p)
	})
	http.HandleFunc("/exec", func(w http.ResponseWriter, r *http.Request) {
		out, err := exec.Command("/bin/echo", "from", "child").Output()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(out)
	})
	http.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "bye")
		// After this answer has gone out.
		go func() {
			time.Sleep(100 * time.Millisecond)
			srv.Close()
		}()
	})
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		panic(err)
	}
}
