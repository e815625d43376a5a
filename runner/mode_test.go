package runner

import "testing"

func TestChooseMode(t *testing.T) {
	if IsPID1() {
		t.Skip("the defaults differ as PID 1")
	}
	for _, tc := range []struct {
		req     ModeRequest
		want    Mode
		wantErr bool
	}{
		{ModeRequest{}, ModeExec, !CanExec},
		{ModeRequest{Exec: true}, ModeExec, !CanExec},
		{ModeRequest{Supervise: true}, ModeSupervise, false},
		{ModeRequest{MustStay: true, Why: "--kill-timeout"}, ModeSupervise, false},
		{ModeRequest{Supervise: true, MustStay: true}, ModeSupervise, false},
		{ModeRequest{Exec: true, Supervise: true}, 0, true},
		{ModeRequest{Exec: true, MustStay: true, Why: "--kill-timeout"}, 0, true},
	} {
		got, err := ChooseMode(tc.req)
		if tc.wantErr != (err != nil) || (err == nil && got != tc.want) {
			if !CanExec && tc.req == (ModeRequest{}) && got == ModeSupervise {
				continue
			}
			t.Errorf("ChooseMode(%+v) = %v, %v; want %v, error %v", tc.req, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSupervisedEnv(t *testing.T) {
	in := []string{"NOTIFY_SOCKET=/run/systemd/notify", "WATCHDOG_PID=42", "WATCHDOG_USEC=30000000", "A=1"}
	got := SupervisedEnv(in)
	want := []string{"NOTIFY_SOCKET=/run/systemd/notify", "WATCHDOG_USEC=30000000", "A=1"}
	if len(got) != len(want) {
		t.Fatalf("SupervisedEnv = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("SupervisedEnv = %q, want %q", got, want)
		}
	}
}
