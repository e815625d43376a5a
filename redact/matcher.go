package redact

import "encoding/binary"

// matcher finds every pattern occurrence in a buffer, in one pass: a
// filter over each position's first q bytes (q = min(4, the shortest
// pattern)) rules out nearly every position at the cost of one hash and
// one bit test, and a trie walk from the positions it lets through finds
// the longest pattern starting there. The filter is a bit set of the
// patterns' q-byte prefixes, 16 KiB (it stays in a level-1 cache), so a
// position passes it by chance at a rate of about patterns/131072 (1% for
// the 1,400 forms of 200 secrets). The trie's states are
// numbered breadth first: the first nDense, where every walk starts, have
// full rows of next states over byte classes; deeper ones a short edge
// list. Worst case (text made of long near-matches) a position costs a walk
// as long as the longest pattern.
type matcher struct {
	q    int
	bits *[filterBits / 64]uint64 // the filter

	class  [256]uint8
	nclass uint32
	nDense uint32
	dense  []uint32 // goto rows: next state, 0 for none

	first    []uint32 // state s's edges are edgeByte/edgeTo[first[s]:first[s+1]]
	edgeByte []byte
	edgeTo   []uint32
	term     []int32 // length of the pattern ending at the state, or 0
}

// denseBudget bounds the dense rows (entries of 4 bytes): 256 KiB.
const denseBudget = 1 << 16

// trie is the automaton under construction: children as linked lists.
type trie struct {
	child, sibling []int32 // first child, next sibling; -1: none
	label          []byte
	plen           []int32 // pattern length ending here, or 0
}

func (t *trie) add(label byte) int32 {
	t.child = append(t.child, -1)
	t.sibling = append(t.sibling, -1)
	t.label = append(t.label, label)
	t.plen = append(t.plen, 0)
	return int32(len(t.child) - 1)
}

func (t *trie) insert(p string) {
	var s int32
	for i := 0; i < len(p); i++ {
		c := t.child[s]
		for c >= 0 && t.label[c] != p[i] {
			c = t.sibling[c]
		}
		if c < 0 {
			c = t.add(p[i])
			t.sibling[c] = t.child[s]
			t.child[s] = c
		}
		s = c
	}
	t.plen[s] = int32(len(p))
}

// newMatcher builds the matcher of patterns; empty patterns are ignored.
func newMatcher(patterns []string) *matcher { return build(patterns, denseBudget) }

// build is newMatcher with at most budget entries of dense rows.
func build(patterns []string, budget uint32) *matcher {
	size := 1
	for _, p := range patterns {
		size += len(p)
	}
	t := &trie{
		child: make([]int32, 0, size), sibling: make([]int32, 0, size),
		label: make([]byte, 0, size), plen: make([]int32, 0, size),
	}
	t.add(0)
	m := &matcher{q: 4}
	used := [256]bool{}
	for _, p := range patterns {
		if p == "" {
			continue
		}
		t.insert(p)
		m.q = min(m.q, len(p))
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	m.buildFilter(patterns)
	m.nclass = 1 // class 0: bytes in no pattern
	for b := range 256 {
		if used[b] && m.nclass < 256 {
			m.class[b] = uint8(m.nclass)
			m.nclass++
		}
	}
	if m.nclass == 256 && used[255] && m.class[255] == 0 { // all 256 used: one class each
		for b := range 256 {
			m.class[b] = uint8(b)
		}
	}

	// Renumber breadth first, laying out each state's children together.
	states := len(t.child)
	order := make([]int32, 0, states) // new number → trie node
	order = append(order, 0)
	m.first = make([]uint32, states+1)
	m.edgeByte = make([]byte, 0, states-1)
	m.edgeTo = make([]uint32, 0, states-1)
	m.term = make([]int32, states)
	for s := 0; s < len(order); s++ {
		m.first[s] = uint32(len(m.edgeTo))
		m.term[s] = t.plen[order[s]]
		for c := t.child[order[s]]; c >= 0; c = t.sibling[c] {
			m.edgeByte = append(m.edgeByte, t.label[c])
			m.edgeTo = append(m.edgeTo, uint32(len(order)))
			order = append(order, c)
		}
	}
	m.first[states] = uint32(len(m.edgeTo))
	m.nDense = min(uint32(states), max(1, budget/m.nclass))
	m.dense = make([]uint32, int(m.nDense*m.nclass))
	for s := range m.nDense {
		for e := m.first[s]; e < m.first[s+1]; e++ {
			m.dense[s*m.nclass+uint32(m.class[m.edgeByte[e]])] = m.edgeTo[e]
		}
	}
	return m
}

// filterBits is the size of the filter, in bits.
const filterBits = 1 << 17

// buildFilter sets the filter's bits for the q-byte prefixes of patterns.
func (m *matcher) buildFilter(patterns []string) {
	m.bits = new([filterBits / 64]uint64)
	for _, p := range patterns {
		if p != "" {
			h := hash(prefix(p, m.q))
			m.bits[h/64] |= 1 << (h % 64)
		}
	}
}

// prefix is the first q bytes of s as a little-endian number.
func prefix[T string | []byte](s T, q int) uint32 {
	var x uint32
	for i := q - 1; i >= 0; i-- {
		x = x<<8 | uint32(s[i])
	}
	return x
}

const hashMul = 0x9E3779B1 // Knuth's multiplicative hash

// hash maps a prefix to a bit of the filter.
func hash(x uint32) uint32 { return (x * hashMul) >> (32 - 17) }

// next is the trie state after s reads b; 0 when there is none.
func (m *matcher) next(s uint32, b byte) uint32 {
	if s < m.nDense {
		return m.dense[s*m.nclass+uint32(m.class[b])]
	}
	for e := m.first[s]; e < m.first[s+1]; e++ {
		if m.edgeByte[e] == b {
			return m.edgeTo[e]
		}
	}
	return 0
}

// find appends to hits, for every position of buf where a pattern
// starts, the span of the longest one (offsets in buf, by start). live is
// the first position from which buf's rest is a proper prefix of a
// pattern — where an occurrence may begin that more bytes would complete —
// or len(buf).
func (m *matcher) find(buf []byte, hits []span) (_ []span, live int) {
	n := len(buf)
	live = n
	i := 0
	if m.q == 4 { // the common case, four positions a round: most end here
		bits := m.bits
		for ; i+8 <= n; i += 4 {
			x := binary.LittleEndian.Uint64(buf[i:])
			h0 := (uint32(x) * hashMul) >> (32 - 17)
			h1 := (uint32(x>>8) * hashMul) >> (32 - 17)
			h2 := (uint32(x>>16) * hashMul) >> (32 - 17)
			h3 := (uint32(x>>24) * hashMul) >> (32 - 17)
			if (bits[h0/64]>>(h0%64)|bits[h1/64]>>(h1%64)|bits[h2/64]>>(h2%64)|bits[h3/64]>>(h3%64))&1 == 0 {
				continue
			}
			for j := i; j < i+4; j++ {
				if m.candidate(buf, j) {
					hits, live = m.walk(buf, j, hits, live)
				}
			}
		}
	}
	for ; i < n; i++ {
		if i+m.q > n || m.candidate(buf, i) {
			hits, live = m.walk(buf, i, hits, live)
		}
	}
	return hits, live
}

// candidate reports whether a pattern may start at buf[i], which has q
// bytes from there on.
func (m *matcher) candidate(buf []byte, i int) bool {
	h := hash(prefix(buf[i:], m.q))
	return m.bits[h/64]&(1<<(h%64)) != 0
}

// walk follows the trie from buf[i] on, records the longest pattern
// starting at i, and lowers live to i if the walk runs off buf's end in a
// state that has children.
func (m *matcher) walk(buf []byte, i int, hits []span, live int) ([]span, int) {
	var s uint32
	longest := int32(0)
	j := i
	for ; j < len(buf); j++ {
		if s = m.next(s, buf[j]); s == 0 {
			break
		}
		if t := m.term[s]; t != 0 {
			longest = t
		}
	}
	if j == len(buf) && s != 0 && m.first[s+1] > m.first[s] && live > i {
		live = i
	}
	if longest > 0 {
		hits = append(hits, span{int64(i), int64(i) + int64(longest)})
	}
	return hits, live
}
