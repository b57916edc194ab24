package companymatch

import "strings"

// Weights of the two measures Similarity blends.
const (
	tokenWeight = 0.6 // soft token-set Dice: word order, extra and missing words
	jwWeight    = 0.4 // Jaro-Winkler on the whole name: typos, short brand names
)

// Similarity scores how alike two company names are, in [0,1], after
// Normalize. Equal normalised names score 1; an empty name scores 0.
//
// The score is 0.6 × token similarity + 0.4 × Jaro-Winkler similarity of
// the two normalised names. Token similarity is the Dice coefficient of
// the two sets of words, 2·matched/(|A|+|B|), where words pair up one to
// one, an equal pair counts 1, and a pair of words of four or more
// letters counts its Jaro-Winkler score when that is at least 0.9 (so
// "micrsoft" still pairs with "microsoft"). Extra words cost: "google"
// against "google cloud" scores about 0.76, below the default acceptance
// threshold of Choose.
func Similarity(a, b string) float64 {
	return similarityTokens(normTokens(a), normTokens(b))
}

func similarityTokens(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	sa, sb := strings.Join(a, " "), strings.Join(b, " ")
	if sa == sb {
		return 1
	}
	return tokenWeight*tokenDice(a, b) + jwWeight*jaroWinkler([]rune(sa), []rune(sb))
}

// tokenDice is the soft Dice coefficient of two word sets.
func tokenDice(a, b []string) float64 {
	a, b = distinct(a), distinct(b)
	type pair struct {
		i, j int
		s    float64
	}
	var pairs []pair
	for i, x := range a {
		for j, y := range b {
			if s := wordSim(x, y); s > 0 {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	usedA := make([]bool, len(a))
	usedB := make([]bool, len(b))
	total := 0.0
	// Greedy one-to-one pairing, best pairs first.
	for {
		best := -1
		for k, p := range pairs {
			if usedA[p.i] || usedB[p.j] {
				continue
			}
			if best < 0 || p.s > pairs[best].s {
				best = k
			}
		}
		if best < 0 {
			break
		}
		p := pairs[best]
		usedA[p.i], usedB[p.j] = true, true
		total += p.s
	}
	return 2 * total / float64(len(a)+len(b))
}

func distinct(ws []string) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		dup := false
		for _, o := range out {
			if o == w {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

// wordSim scores two words: 1 if equal, their Jaro-Winkler score if both
// have at least four letters and it reaches 0.9, otherwise 0.
func wordSim(x, y string) float64 {
	if x == y {
		return 1
	}
	rx, ry := []rune(x), []rune(y)
	if len(rx) < 4 || len(ry) < 4 {
		return 0
	}
	if s := jaroWinkler(rx, ry); s >= 0.9 {
		return s
	}
	return 0
}

// jaroWinkler is the Jaro similarity with Winkler's bonus for a common
// prefix of up to four runes (scale 0.1), applied when Jaro exceeds 0.7.
func jaroWinkler(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	window := max(len(a), len(b))/2 - 1
	if window < 0 {
		window = 0
	}
	ma := make([]bool, len(a))
	mb := make([]bool, len(b))
	matches := 0
	for i := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	half, j := 0, 0
	for i := range a {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			half++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(half/2))/m) / 3
	if jaro <= 0.7 {
		return jaro
	}
	prefix := 0
	for prefix < min(4, len(a), len(b)) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
