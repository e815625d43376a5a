package redact

// Mask is what each run of covered bytes becomes.
const Mask = "*****"

// Masker masks a stream written in pieces (see the package doc). Its
// zero value is not usable: get one from Set.Masker. It does no I/O.
type Masker struct {
	m *matcher
	// tail is the stream's bytes [tailAt, pos) from which an occurrence
	// may begin that is not complete yet: the next Write scans them again.
	// Those before emitted went out already (Flush).
	tail    []byte
	tailAt  int64
	pos     int64 // bytes written so far
	emitted int64 // bytes decided and out (≥ tailAt)
	spans   []span
	inRun   bool   // the last byte out was covered: its mask is out
	buf     []byte // tail and the new piece, when there is a tail
	hits    []span // find's, reused
}

// span is a covered range of stream offsets, [start, end). Masker.spans
// holds those not yet all out, by start, apart (neither overlapping nor
// touching).
type span struct{ start, end int64 }

// Held is how many bytes the Masker holds back.
func (k *Masker) Held() int { return int(k.pos - k.emitted) }

// Write masks p, the next piece of the stream, and appends to out what is
// decided: everything but the bytes from which an occurrence may begin
// that is not complete yet.
func (k *Masker) Write(out, p []byte) []byte {
	buf, at := p, k.pos
	if len(k.tail) > 0 {
		k.buf = append(append(k.buf[:0], k.tail...), p...)
		buf, at = k.buf, k.tailAt
	}
	// Occurrences that start in the tail are found again.
	for n := len(k.spans); n > 0 && k.spans[n-1].start >= at; n-- {
		k.spans = k.spans[:n-1]
	}
	hits, live := k.m.find(buf, k.hits[:0])
	for _, h := range hits {
		k.cover(at+h.start, at+h.end)
	}
	k.hits = hits
	k.pos += int64(len(p))
	decided := max(at+int64(live), k.emitted)
	out = k.emit(out, buf, at, decided)
	k.tail = append(k.tail[:0], buf[live:]...)
	k.tailAt = at + int64(live)
	return out
}

// Flush appends the held bytes to out, masked where an occurrence already
// covers them, and holds nothing back. An occurrence that completes later
// is masked from here on only: its beginning is out.
func (k *Masker) Flush(out []byte) []byte {
	return k.emit(out, k.tail, k.tailAt, k.pos)
}

// cover records that [start, end) is covered. Calls come in order of
// start, so only the last span can overlap or touch it.
func (k *Masker) cover(start, end int64) {
	if n := len(k.spans); n > 0 && k.spans[n-1].end >= start {
		k.spans[n-1].end = max(k.spans[n-1].end, end)
		return
	}
	k.spans = append(k.spans, span{start, end})
}

// emit appends the stream's bytes [k.emitted, to) to out, each covered run
// as one Mask; src holds the bytes from offset at on.
func (k *Masker) emit(out, src []byte, at, to int64) []byte {
	from := k.emitted
	plain := func(out []byte, a, b int64) []byte {
		if a < b {
			k.inRun = false
			out = append(out, src[a-at:b-at]...)
		}
		return out
	}
	i := 0
	for ; i < len(k.spans) && k.spans[i].start < to; i++ {
		s := k.spans[i]
		if s.end <= from {
			continue // out already (flushed before it completed)
		}
		start := max(s.start, from)
		out = plain(out, from, start)
		if !k.inRun || start != from {
			out = append(out, Mask...)
		}
		k.inRun = true
		if s.end > to {
			from = to
			break // the rest of it comes later
		}
		from = s.end
	}
	// Spans all out go; one that goes on stays (its mask is out).
	k.spans = k.spans[:copy(k.spans, k.spans[i:])]
	out = plain(out, from, to)
	k.emitted = to
	return out
}
