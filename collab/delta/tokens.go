package delta

// This file reuses fast-diff (fastdiff.go) for a diff of token sequences,
// such as the words of two versions of a text: each distinct token is
// given a code unit of its own, the two code strings are diffed, and the
// chunks are mapped back to tokens — the line-mode trick of Neil Fraser's
// diff-match-patch (diff_linesToChars).

// TokenOp says what a run of tokens is in a token diff.
type TokenOp int

// The token diff operations.
const (
	TokenEqual  TokenOp = diffEqual
	TokenInsert TokenOp = diffInsert
	TokenDelete TokenOp = diffDelete
)

// TokenRun is a run of tokens that a token diff keeps, inserts or deletes.
type TokenRun struct {
	Op     TokenOp
	Tokens []string
}

// maxTokenCodes is how many distinct tokens get a code unit of their own:
// every code unit but 0 and the surrogates (so that fast-diff never sees
// half a pair).
const maxTokenCodes = 0xFFFF - 0x800

// tokenCode returns the code unit of the n-th distinct token (n from 0).
func tokenCode(n int) uint16 {
	c := n + 1
	if c >= 0xD800 {
		c += 0x800 // past the surrogates
	}
	return uint16(c)
}

// DiffTokens returns the runs that turn the tokens a into the tokens b,
// with fast-diff's semantic cleanup applied to the tokens as its
// characters: an equal run no longer than the edits on both sides of it is
// folded into them, so a diff of words reads as whole phrases replaced.
// Concatenating the equal and delete runs gives a, the equal and insert
// runs b. When the texts have more distinct tokens than there are code
// units, the tokens after the last code are compared as one token each
// text (correct, coarser).
func DiffTokens(a, b []string) []TokenRun {
	codes := map[string]uint16{}
	encode := func(toks []string) ([]uint16, [][]string) {
		out := make([]uint16, 0, len(toks))
		groups := make([][]string, 0, len(toks))
		for i, tok := range toks {
			if c, ok := codes[tok]; ok {
				out = append(out, c)
				groups = append(groups, toks[i:i+1])
				continue
			}
			if len(codes) == maxTokenCodes-1 {
				// The last code: the rest of the text as one token.
				rest := joinTokens(toks[i:])
				c, ok := codes[rest]
				if !ok {
					c = tokenCode(len(codes))
					codes[rest] = c
				}
				out = append(out, c)
				groups = append(groups, toks[i:])
				return out, groups
			}
			c := tokenCode(len(codes))
			codes[tok] = c
			out = append(out, c)
			groups = append(groups, toks[i:i+1])
		}
		return out, groups
	}
	ca, ga := encode(a)
	cb, gb := encode(b)
	chunks, err := fastDiffPlain(ca, cb)
	if err != nil {
		// Not reached: the codes hold no surrogates, on which alone
		// fast-diff fails. Answer the whole replacement, which is true.
		chunks = []diffChunk{{diffDelete, ca}, {diffInsert, cb}}
	}
	var runs []TokenRun
	ia, ib := 0, 0
	for _, c := range chunks {
		var toks []string
		for range c.text {
			switch c.op {
			case diffInsert:
				toks = append(toks, gb[ib]...)
				ib++
			case diffDelete:
				toks = append(toks, ga[ia]...)
				ia++
			default:
				toks = append(toks, ga[ia]...)
				ia++
				ib++
			}
		}
		if len(toks) == 0 {
			continue
		}
		op := TokenOp(c.op)
		if n := len(runs); n > 0 && runs[n-1].Op == op {
			runs[n-1].Tokens = append(runs[n-1].Tokens, toks...)
			continue
		}
		runs = append(runs, TokenRun{Op: op, Tokens: toks})
	}
	return runs
}

// fastDiffPlain is fast-diff with semantic cleanup and without the
// surrogate fix-ups, which mean nothing for token codes.
func fastDiffPlain(text1, text2 []uint16) (diffs []diffChunk, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r != errDiffLoops {
				panic(r)
			}
			diffs, err = nil, errDiffLoops
		}
	}()
	return diffMain(text1, text2, true, false), nil
}

func joinTokens(toks []string) string {
	n := 0
	for _, t := range toks {
		n += len(t)
	}
	b := make([]byte, 0, n)
	for _, t := range toks {
		b = append(b, t...)
	}
	return string(b)
}
