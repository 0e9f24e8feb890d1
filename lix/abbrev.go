package lix

// neverFinal reports whether s, a lower-case token ending in a full stop, is
// a Norwegian (bokmål or nynorsk) abbreviation that stands before what it
// qualifies and so does not end a sentence even before a capital letter or
// a digit ("f.eks. Oslo", "nr. 5", "kap. 3", "ca. 20", "kl. 10").
//
// Abbreviations that often close a sentence ("osv.", "m.m.", "etc.", "mv.",
// "o.l.", "m.fl.", "kr.", "mill.") are left out on purpose: after them the
// general rule applies, and a sentence ends when the next word has a
// capital. So are abbreviations that are also words ("alt.", "tom.",
// "jul.", "mai.").
func neverFinal(s string) bool {
	switch s {
	case
		// for eksempel, blant annet, til dømes, mellom anna, med andre ord
		"f.eks.", "feks.", "eks.", "bl.a.", "t.d.", "m.a.", "m.a.o.",
		// det vil si, jamfør, på grunn av, med hensyn til, i henhold til,
		// i forhold til, i forbindelse med, ved hjelp av, i følge
		"dvs.", "d.v.s.", "jf.", "jfr.", "jmf.", "pga.", "p.g.a.",
		"mht.", "m.h.t.", "iht.", "i.h.t.", "ift.", "i.f.t.", "ifb.", "i.f.b.",
		"vha.", "v.h.a.", "iflg.", "ifl.",
		// angående, vedrørende, henholdsvis, eventuelt, sammenlign, referanse
		"ang.", "vedr.", "hhv.", "evt.", "ev.", "sml.", "ref.", "vs.",
		// fra og med, til og med, cirka, klokka, omkring
		"f.o.m.", "t.o.m.", "ca.", "kl.", "omkr.",
		// nummer, kapittel, paragraf-like references and parts of a text
		"nr.", "kap.", "pkt.", "art.", "bokst.", "s.", "jnr.", "saksnr.",
		"gnr.", "bnr.", "fnr.", "snr.", "tlf.", "mob.", "avd.", "inkl.", "ekskl.",
		// titles
		"dr.", "prof.", "st.",
		// months written before a year ("1. jan. 2027")
		"jan.", "feb.", "apr.", "aug.", "sep.", "sept.", "okt.", "nov.", "des.":
		return true
	}
	return false
}
