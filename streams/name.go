package streams

import (
	"fmt"
	"os"
)

// DefaultName names this process: host name and process id.
func DefaultName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
