//go:build unix && !linux

package main

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// sysProcAttr puts a child in a process group of its own. Without Linux's
// Pdeathsig, a bench killed with SIGKILL may leave its nodes running;
// ferretdb-dev still stops when its stdin closes.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup signals the process group that p leads.
func signalGroup(p *os.Process, sig syscall.Signal) error {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		if err == syscall.ESRCH {
			return os.ErrProcessDone
		}
		return err
	}
	return nil
}

// memory is not measured outside Linux.
func memory(pid int) (rss, peak float64, err error) {
	return 0, 0, errors.New("memory is measured from /proc on Linux only")
}

// procCPU is not measured outside Linux.
func procCPU(pid int) (time.Duration, error) {
	return 0, errors.New("CPU time is measured from /proc on Linux only")
}
