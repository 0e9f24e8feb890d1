package main

import (
	"context"
	"fmt"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The demo: a municipality with one user per role and a plan made from the
// template, for trying Temaplan out and for the benchmark.
const (
	demoMunicipality = "demo"
	demoPlanID       = "demo-temaplan-bolig"
	demoPlanTitle    = "Temaplan om bolig 2027–2030"
)

// demoUsers are the demo accounts: their e-mail, name and role in the demo
// plan ("admin" is the account's administrator flag instead).
var demoUsers = []struct{ email, name, role string }{
	{"leader@demo.no", "Lene Leder", "leader"},
	{"member@demo.no", "Mats Medlem", "member"},
	{"finance@demo.no", "Frida Økonomi", "finance"},
	{"reader@demo.no", "Rolf Leser", "reader"},
	{"steering@demo.no", "Siri Styring", "steering"},
	{"political@demo.no", "Per Politiker", "political"},
	{"admin@demo.no", "Anne Admin", "admin"},
}

// seedDemo creates what of the demo is absent. Seeding twice, or from two
// nodes at once, leaves one of everything: every step is an insert under a
// fixed key.
func seedDemo(ctx context.Context, accounts *auth.Accounts, plans *collab.Plans, password string) error {
	if err := accounts.EnsureMunicipality(ctx, auth.Municipality{ID: demoMunicipality, Name: "Demo kommune"}); err != nil {
		return err
	}
	var members []collab.Member
	var leader string
	for _, u := range demoUsers {
		a, err := accounts.EnsureUser(ctx, demoMunicipality, auth.NewUser{
			Email: u.email, Name: u.name, Password: password, Admin: u.role == "admin"})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", u.email, err)
		}
		if u.role != "admin" {
			members = append(members, collab.Member{User: a.ID, Roles: []string{u.role}})
		}
		if u.role == collab.RoleLeader {
			leader = a.ID
		}
	}
	_, err := plans.Create(ctx, "demo", collab.NewPlan{ID: demoPlanID, Title: demoPlanTitle,
		Municipality: demoMunicipality, Type: collab.TypeTemaplan, Members: members})
	switch {
	case collab.ErrorCode(err) == collab.CodeConflict:
		return nil // seeded before, or by another node
	case err != nil:
		return fmt.Errorf("demo plan: %w", err)
	}
	if err := seedDemoContent(ctx, plans, collab.Actor{ID: leader}); err != nil {
		return fmt.Errorf("demo plan content: %w", err)
	}
	return nil
}
