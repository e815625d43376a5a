//go:build !unix

package envfile

// oNoFollow: the temporary file's name is new and random; Windows has no
// O_NOFOLLOW.
const oNoFollow = 0
