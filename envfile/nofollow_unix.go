//go:build unix

package envfile

import "syscall"

const oNoFollow = syscall.O_NOFOLLOW

// pinInode: an open file keeps its inode number from being reused.
const pinInode = true
