package render

import "unicode/utf8"

// Mask hides a value for display: its first two characters and "****"
// ("ab****"); values of four characters or fewer are "****" only, so that
// nothing short is half shown. Empty stays empty.
func Mask(value string) string {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		return ""
	case n <= 4:
		return "****"
	}
	_, a := utf8.DecodeRuneInString(value)
	_, b := utf8.DecodeRuneInString(value[a:])
	return value[:a+b] + "****"
}
