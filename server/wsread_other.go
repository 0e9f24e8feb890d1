//go:build !unix

package server

// readable lets RawConn.Read return at once where there is no MSG_PEEK:
// the reader then waits in its read, deeper in its stack.
func readable(uintptr) bool { return true }
