// Unix vs Windows: Windows has no signals to send; ParseSignal refuses every name.

package runner

import (
	"fmt"
	"os"
)

// ParseSignal refuses every name: Windows has no signals to send.
func ParseSignal(name string) (os.Signal, error) {
	return nil, fmt.Errorf("signal %s: Windows has no signals", name)
}
