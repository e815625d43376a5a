package redact

// matcher is an Aho-Corasick automaton over byte strings, built for
// streaming: Scan takes the state the previous piece ended in.
//
// States are numbered breadth first, the root 0, so the shallow states,
// where a scan spends nearly all its time, come first: the first nDense
// have full transition rows over byte classes (the failure links already
// followed), the rest keep their children in a short list and a failure
// link. Bytes that occur in no pattern share one class.
type matcher struct {
	class  [256]uint8
	nclass uint32
	nDense uint32
	dense  []uint32 // nDense rows of nclass next states

	// Per state: its children are edges[first[s]:first[s+1]].
	first    []uint32
	edgeByte []byte
	edgeTo   []uint32
	fail     []uint32
	// longest is the length of the longest pattern that ends the state's
	// string (0: none); hold, the length of the longest suffix of it that
	// may still grow into a pattern (a state with children).
	longest []int32
	hold    []int32
}

// denseBudget bounds the dense table (entries of 4 bytes): 1 MiB.
const denseBudget = 1 << 18

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

// newMatcher builds the automaton of patterns; empty patterns are ignored.
func newMatcher(patterns []string) *matcher { return build(patterns, denseBudget) }

// build is newMatcher with at most budget entries of dense rows.
func build(patterns []string, budget uint32) *matcher {
	t := &trie{}
	t.add(0)
	m := &matcher{}
	used := [256]bool{}
	for _, p := range patterns {
		if p == "" {
			continue
		}
		t.insert(p)
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	m.nclass = 1 // class 0: bytes in no pattern
	for b := range 256 {
		if used[b] {
			m.class[b] = uint8(m.nclass)
			m.nclass++
		}
	}
	if m.nclass > 256 { // every byte is used: 0 can be shared after all
		m.nclass = 256
		for b := range 256 {
			m.class[b] = uint8(b)
		}
	}

	// Renumber breadth first, laying out each state's children together.
	n := len(t.child)
	order := make([]int32, 0, n) // new id → trie node
	order = append(order, 0)
	m.first = make([]uint32, n+1)
	m.edgeByte = make([]byte, 0, n-1)
	m.edgeTo = make([]uint32, 0, n-1)
	for s := 0; s < len(order); s++ {
		m.first[s] = uint32(len(m.edgeTo))
		for c := t.child[order[s]]; c >= 0; c = t.sibling[c] {
			m.edgeByte = append(m.edgeByte, t.label[c])
			m.edgeTo = append(m.edgeTo, uint32(len(order)))
			order = append(order, c)
		}
	}
	m.first[n] = uint32(len(m.edgeTo))

	m.nDense = min(uint32(n), max(1, budget/m.nclass))
	m.dense = make([]uint32, int(m.nDense*m.nclass))
	m.fail = make([]uint32, n)
	m.longest = make([]int32, n)
	m.hold = make([]int32, n)
	depth := make([]int32, n)
	for s := range uint32(n) {
		// Breadth first: fail[s] and every state above s are complete.
		node := order[s]
		m.longest[s] = max(t.plen[node], m.longest[m.fail[s]])
		if m.first[s+1] > m.first[s] {
			m.hold[s] = depth[s]
		} else {
			m.hold[s] = m.hold[m.fail[s]]
		}
		if s < m.nDense {
			row := m.dense[s*m.nclass : (s+1)*m.nclass]
			if s != 0 {
				copy(row, m.dense[m.fail[s]*m.nclass:(m.fail[s]+1)*m.nclass])
			}
			for e := m.first[s]; e < m.first[s+1]; e++ {
				row[m.class[m.edgeByte[e]]] = m.edgeTo[e]
			}
		}
		for e := m.first[s]; e < m.first[s+1]; e++ {
			c := m.edgeTo[e]
			depth[c] = depth[s] + 1
			if s != 0 {
				m.fail[c] = m.next(m.fail[s], m.edgeByte[e])
			}
		}
	}
	for i, next := range m.dense { // now that every state's longest is known
		if m.longest[next] > 0 {
			m.dense[i] |= matchBit
		}
	}
	return m
}

// next is the state after s reads b.
func (m *matcher) next(s uint32, b byte) uint32 {
	for s >= m.nDense {
		for e := m.first[s]; e < m.first[s+1]; e++ {
			if m.edgeByte[e] == b {
				return m.edgeTo[e]
			}
		}
		s = m.fail[s]
	}
	return m.dense[s*m.nclass+uint32(m.class[b])] &^ matchBit
}

// hit is a pattern occurrence found by scan: it ends just before p[end],
// and its length (the longest of those ending there) may reach back
// before p, into earlier pieces.
type hit struct {
	end    int
	length int32
}

// matchBit marks a dense entry whose state ends a pattern.
const matchBit = 1 << 31

// scan runs p from state s, appends an occurrence to hits for every
// position where a pattern ends, and returns the state it ends in.
func (m *matcher) scan(s uint32, p []byte, hits []hit) (uint32, []hit) {
	dense, nclass, nDense, longest := m.dense, m.nclass, m.nDense, m.longest
	class := &m.class
	for i := 0; i < len(p); i++ {
		if s < nDense {
			t := dense[s*nclass+uint32(class[p[i]])]
			s = t &^ matchBit
			if t&matchBit == 0 {
				continue
			}
		} else if s = m.next(s, p[i]); longest[s] == 0 {
			continue
		}
		hits = append(hits, hit{i + 1, longest[s]})
	}
	return s, hits
}
