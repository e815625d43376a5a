// Unix vs Windows: Windows has no systemd; Notify does nothing there.

package runner

// NotifyReloading does nothing on Windows.
func NotifyReloading() {}

// NotifyReady does nothing on Windows.
func NotifyReady() {}
