//go:build unix

package server

import "syscall"

// readable is the test frameReader.fill waits on with RawConn.Read:
// whether a byte (or the end of the stream, or an error) waits on the
// socket fd, seen with MSG_PEEK so that it stays for the real read.
func readable(fd uintptr) bool {
	var b [1]byte
	for {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
		if err != syscall.EINTR {
			return err != syscall.EAGAIN
		}
	}
}
