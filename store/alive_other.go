//go:build !unix

package store

// peerSpoke cannot tell on this system; a dropped connection shows on its
// next query instead.
func (c *coalescedConn) peerSpoke() bool { return false }
