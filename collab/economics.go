package collab

// Amounts are whole kroner (int64) throughout: no floating point touches
// money.

// Amounts is what is spent: investment, operating and their sum.
type Amounts struct {
	Investment int64 `json:"investment"`
	Operating  int64 `json:"operating"`
	Total      int64 `json:"total"`
}

func (a *Amounts) add(investment, operating int64) {
	a.Investment += investment
	a.Operating += operating
	a.Total += investment + operating
}

// YearAmounts is the amounts of one year.
type YearAmounts struct {
	Year int `json:"year"`
	Amounts
}

// AreaEconomics is the costs of one target area (or of the whole plan).
type AreaEconomics struct {
	TargetArea string        `json:"target_area,omitempty"`
	Title      string        `json:"title,omitempty"`
	Years      []YearAmounts `json:"years"`
	Amounts
}

// MeasureEconomics is the costs of one measure over its years.
type MeasureEconomics struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	TargetArea string `json:"target_area"`
	Amounts
}

// Economics is a plan's economic overview (SPEC.md §3): the costs per
// year, investment and operating, per target area and for the whole plan.
// Seq and Hash are what a sign-off made now would record.
type Economics struct {
	Period   Period             `json:"period"`
	Years    []int              `json:"years"`
	Areas    []AreaEconomics    `json:"areas"`
	Total    AreaEconomics      `json:"total"`
	Measures []MeasureEconomics `json:"measures"`
	SignOff  *SignOff           `json:"signoff"`
	Seq      int64              `json:"seq"`
	Hash     string             `json:"hash"`
}

// ComputeEconomics sums the costs of p's measures. Every target area of
// the outline has its row, in outline order, also without costs; the
// years are those of the planning period (a measure's years lie in it).
func ComputeEconomics(p *Plan) Economics {
	years := p.Period.Years()
	newArea := func(id, title string) AreaEconomics {
		a := AreaEconomics{TargetArea: id, Title: title, Years: make([]YearAmounts, len(years))}
		for i, y := range years {
			a.Years[i].Year = y
		}
		return a
	}
	e := Economics{Period: p.Period, Years: years, Areas: []AreaEconomics{}, Total: newArea("", ""),
		Measures: []MeasureEconomics{}, Seq: p.Seq, Hash: CostHash(p)}
	index := map[string]int{}
	for _, s := range p.TargetAreas() {
		index[s.ID] = len(e.Areas)
		e.Areas = append(e.Areas, newArea(s.ID, s.Title))
	}
	for _, m := range p.Measures {
		me := MeasureEconomics{ID: m.ID, Title: m.Title, TargetArea: m.TargetArea}
		area, ok := index[m.TargetArea]
		for _, c := range m.Costs {
			me.add(c.Investment, c.Operating)
			y := c.Year - p.Period.From
			if y < 0 || y >= len(years) {
				continue // outside the period: refused on input, never stored
			}
			if ok {
				e.Areas[area].Years[y].add(c.Investment, c.Operating)
				e.Areas[area].add(c.Investment, c.Operating)
			}
			e.Total.Years[y].add(c.Investment, c.Operating)
			e.Total.add(c.Investment, c.Operating)
		}
		e.Measures = append(e.Measures, me)
	}
	if p.EconomicsSignOff != nil {
		s := *p.EconomicsSignOff
		e.SignOff = &s
	}
	return e
}
