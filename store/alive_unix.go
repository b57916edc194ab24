//go:build unix

package store

import (
	"errors"
	"syscall"
)

// peerSpoke reports whether the server sent anything, or closed the
// connection, since the last answer was read. It peeks without waiting
// and consumes nothing.
func (c *coalescedConn) peerSpoke() bool {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	spoke := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Data, the end (0 bytes) or an error such as a reset; EAGAIN:
		// nothing.
		spoke = err == nil || !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EINTR)
		return true // never wait
	})
	return spoke || err != nil
}
