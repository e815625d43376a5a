//go:build !unix

package runner

import "os"

// signalName names sig.
func signalName(sig os.Signal) string { return sig.String() }
