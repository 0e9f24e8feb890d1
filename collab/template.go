package collab

// templateNode is one node of a plan template.
type templateNode struct {
	title    string
	kind     SectionKind
	children []templateNode
}

// targetArea returns the subtree every target area (målområde) has: an
// analysis part and an action part (SPEC.md §2).
func targetArea(title string) templateNode {
	return templateNode{title: title, kind: KindTargetArea, children: []templateNode{
		{title: "Analysedel", kind: KindAnalysis, children: []templateNode{
			{title: "Situasjonsbeskrivelse"},
			{title: "Utviklingstrekk"},
			{title: "Vurdering av virkemidler og behov"},
		}},
		{title: "Handlingsdel", kind: KindAction, children: []templateNode{
			{title: "Mål"},
			{title: "Strategier"},
			{title: "Tiltak"},
		}},
	}}
}

// housingTemplate is the default template "Temaplan om bolig" of SPEC.md §2,
// with the three target areas of Bodø kommune's housing plan.
func housingTemplate() []templateNode {
	return []templateNode{
		{title: "Innledning"},
		{title: "Føringer", children: []templateNode{
			{title: "Nasjonale føringer"},
			{title: "Regionale føringer"},
			{title: "Lokale føringer"},
		}},
		targetArea("Generell boligutvikling"),
		targetArea("Boligsosiale forhold"),
		targetArea("Organisering og boligforvaltning"),
		{title: "Målekort og oppfølging"},
		{title: "Økonomiske konsekvenser"},
	}
}

// instantiate turns template nodes into sections with fresh ids.
func instantiate(nodes []templateNode, newID func() string) []*Section {
	out := make([]*Section, 0, len(nodes))
	for _, n := range nodes {
		kind := n.kind
		if kind == "" {
			kind = KindSection
		}
		out = append(out, &Section{
			ID:           newID(),
			Title:        n.title,
			Kind:         kind,
			Status:       StatusNotStarted,
			Contributors: []string{},
			Children:     instantiate(n.children, newID),
		})
	}
	return out
}
