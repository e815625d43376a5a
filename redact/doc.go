// Package redact masks secret values in a stream of bytes: every
// occurrence of a value, or of a common encoding of it, becomes Mask.
//
// A Set is compiled once from the values (NewSet): each value of at least
// MinLen bytes stands for several byte strings, its forms (Forms): the
// value itself; its base64, standard and URL alphabets, padded, and the
// part of it that shows whatever precedes the value inside a longer
// base64 text (the three alignments); its URL encodings (query, path);
// its JSON string escapes (as Go, JavaScript, Python and PHP write them);
// and each line of a multi-line value. One matcher finds them all in a
// single pass over the bytes, whatever their number: a filter of the
// forms' 4-byte prefixes rules out nearly every position, and a trie walk
// checks the rest (see matcher).
//
// Masking is by coverage: every byte that lies inside an occurrence of any
// form is covered, overlaps included, and each maximal run of covered
// bytes becomes one Mask. Everything else passes unchanged, byte for byte,
// in order.
//
// A Masker applies that to a stream written in pieces: its output is the
// same whatever the pieces, because it holds back the bytes that may
// still begin an occurrence — at most the longest form's length minus one
// — until the next piece decides them. Flush gives up on that: the held
// bytes go out as they are. Writer is a Masker in front of an io.Writer
// that flushes by itself when no more input comes for HoldDelay, so a
// paused stream is never held hostage.
//
// This is a guard against accidents — a value echoed in a deploy log, an
// environment dump in a stack trace — not against a program that means to
// leak a value: it can encode it otherwise, or write it elsewhere.
package redact
