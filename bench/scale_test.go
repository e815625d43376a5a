package bench

import "testing"

func writeScale(t *testing.T, results []fleetResult) {}
