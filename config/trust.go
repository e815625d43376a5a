package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// TrustEnv names the variable that lists project roots keep trusts
// whoever owns them (KEEP_PROJECT=DIR, several separated by the OS's path
// list separator): git's safe.directory.
const TrustEnv = "KEEP_PROJECT"

// A .keep/ directory decides regions, KMS keys, scopes and template paths,
// so keep reads one only when nobody but the current user and root could
// have written it (git's answer to CVE-2022-24765). Seams for tests, which
// may run as root, where every temporary file is root's:
var (
	stat   = os.Stat
	euid   = os.Geteuid
	getenv = os.Getenv
)

// checkTrust refuses the project at root unless root is listed in
// KEEP_PROJECT or: .keep/, settings.json, vaults/ and every vault file are
// owned by the current user or root and writable by no other user; and
// root and each of its parents up to / is owned by the current user or
// root and writable by others only with the sticky bit (/tmp), which keeps
// them from renaming what is not theirs. Group write is allowed, as git
// allows it. On Windows, where files have no Unix owner, nothing is
// checked.
func checkTrust(root string) error {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fmt.Errorf("find %s: %w", Dir, err)
	}
	if trusted(root) || trusted(real) {
		return nil
	}
	inside := []string{filepath.Join(real, Dir), filepath.Join(real, Dir, "settings.json")}
	vaults := filepath.Join(real, Dir, "vaults")
	if fi, err := os.Stat(vaults); err == nil && !fi.IsDir() {
		inside = append(inside, vaults) // LoadProject refuses it
	} else if entries, err := os.ReadDir(vaults); err == nil {
		inside = append(inside, vaults)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") {
				inside = append(inside, filepath.Join(vaults, e.Name()))
			}
		}
	}
	for _, p := range inside {
		if err := checkOwned(root, p, false); err != nil {
			return err
		}
	}
	for d := real; ; d = filepath.Dir(d) {
		if err := checkOwned(root, d, true); err != nil {
			return err
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// checkOwned checks one path of the project at root (see checkTrust).
func checkOwned(root, path string, sticky bool) error {
	fi, err := stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // vanished: reading it fails next
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	uid, ok := owner(fi)
	if !ok {
		return nil
	}
	me := euid()
	if uid != 0 && int64(uid) != int64(me) {
		return untrusted(root, fmt.Sprintf("%s is owned by %s, not by you (%s) or root", path, userName(uid), userName(uint32(me))))
	}
	if fi.Mode().Perm()&0o002 != 0 && !(sticky && fi.Mode()&fs.ModeSticky != 0) {
		return untrusted(root, fmt.Sprintf("%s is writable by every user (mode %s)", path, fi.Mode().Perm()))
	}
	return nil
}

func untrusted(root, why string) error {
	return &Error{
		Msg: fmt.Sprintf("refusing the keep project at %s: %s", root, why),
		Help: fmt.Sprintf("another user could choose where keep reads and writes secrets; if you trust it, fix the owner and mode (chmod o-w) or set %s=%s; otherwise remove it, or run keep outside it",
			TrustEnv, root),
	}
}

// trusted reports whether KEEP_PROJECT lists dir.
func trusted(dir string) bool {
	for _, t := range filepath.SplitList(getenv(TrustEnv)) {
		if t == "" {
			continue
		}
		if abs, err := filepath.Abs(t); err == nil && (abs == dir || evalSymlinks(abs) == dir) {
			return true
		}
	}
	return false
}

func evalSymlinks(p string) string {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p
	}
	return real
}

// userName is "name (uid N)", or "uid N" when the name is unknown.
func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return u.Username + " (uid " + id + ")"
	}
	return "uid " + id
}
