//go:build !unix

package envfile

// oNoFollow: the temporary file's name is new and random; Windows has no
// O_NOFOLLOW.
const oNoFollow = 0

// pinInode: an open file could not be renamed or deleted on Windows.
const pinInode = false
