package redact

// Mask is what each run of covered bytes becomes.
const Mask = "*****"

// Masker masks a stream written in pieces (see the package doc). Its
// zero value is not usable: get one from Set.Masker. It does no I/O.
type Masker struct {
	m     *matcher
	state uint32
	pos   int64  // bytes written so far
	held  []byte // the last len(held) bytes written, not yet decided
	spans []span // covered ranges not yet emitted: sorted, apart, ending after the emitted bytes
	inRun bool   // the last byte emitted was covered: its mask is out
	hits  []hit  // scan's, reused
}

// span is a covered range of stream offsets, [start, end).
type span struct{ start, end int64 }

// Held is how many bytes the Masker holds back.
func (k *Masker) Held() int { return len(k.held) }

// Write masks p, the next piece of the stream, and appends to out what is
// decided: everything but the bytes that may still begin an occurrence.
func (k *Masker) Write(out, p []byte) []byte {
	base := k.pos
	k.state, k.hits = k.m.scan(k.state, p, k.hits[:0])
	for _, h := range k.hits {
		k.cover(base+int64(h.end)-int64(h.length), base+int64(h.end))
	}
	k.pos += int64(len(p))
	emitted := base - int64(len(k.held))
	decided := max(k.pos-int64(k.m.hold[k.state]), emitted)
	out = k.emit(out, p, emitted, decided)
	// Keep [decided, pos): the tail of held, then of p.
	keep := k.pos - decided
	if keep <= int64(len(p)) {
		k.held = append(k.held[:0], p[int64(len(p))-keep:]...)
	} else {
		fromHeld := keep - int64(len(p))
		k.held = append(k.held[:0], k.held[int64(len(k.held))-fromHeld:]...)
		k.held = append(k.held, p...)
	}
	return out
}

// Flush appends the held bytes to out, masked where an occurrence already
// covers them, and holds nothing back. An occurrence that completes later
// is masked from here on only: its beginning is out.
func (k *Masker) Flush(out []byte) []byte {
	emitted := k.pos - int64(len(k.held))
	out = k.emit(out, nil, emitted, k.pos)
	k.held = k.held[:0]
	return out
}

// cover records that [start, end) is covered. Calls come in order of end,
// so only the last spans can overlap or touch it.
func (k *Masker) cover(start, end int64) {
	for n := len(k.spans); n > 0 && k.spans[n-1].end >= start; n-- {
		start = min(start, k.spans[n-1].start)
		k.spans = k.spans[:n-1]
	}
	k.spans = append(k.spans, span{start, end})
}

// emit appends the stream's bytes [from, to) to out, each covered run as
// one Mask. The bytes are k.held (which ends where p begins) then p.
func (k *Masker) emit(out, p []byte, from, to int64) []byte {
	heldStart := k.pos - int64(len(p)) - int64(len(k.held))
	plain := func(out []byte, a, b int64) []byte {
		if a >= b {
			return out
		}
		k.inRun = false
		pStart := heldStart + int64(len(k.held))
		if a < pStart {
			out = append(out, k.held[a-heldStart:min(b, pStart)-heldStart]...)
			a = pStart
		}
		if a < b {
			out = append(out, p[a-pStart:b-pStart]...)
		}
		return out
	}
	i := 0
	for ; i < len(k.spans) && k.spans[i].start < to; i++ {
		s := k.spans[i]
		if s.end <= from {
			continue // emitted already (flushed before it completed)
		}
		start := max(s.start, from)
		out = plain(out, from, start)
		if !(k.inRun && start == from) {
			out = append(out, Mask...)
		}
		k.inRun = true
		if s.end > to {
			from = to
			k.spans[i].start = to // the rest of it comes later
			break
		}
		from = s.end
	}
	k.spans = k.spans[:copy(k.spans, k.spans[i:])]
	return plain(out, from, to)
}
