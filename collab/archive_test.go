package collab_test

import (
	"context"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// TestPlans_ArchivedPlanIsReadOnlyUntilRestored checks that an archived
// plan takes no change of any kind — structure, membership, milestones,
// settings, phase steps — with the code archived, that archiving is one
// plan-log entry that a second archive conflicts with, and that the
// restored plan is as it was and takes changes again.
func TestPlans_ArchivedPlanIsReadOnlyUntilRestored(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		ps := newPlans(t, b.open(t), nil)
		p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Boligplan", Municipality: "m1",
			Members: []collab.Member{{User: "lene", Roles: []string{collab.RoleLeader}}}})
		if err != nil {
			t.Fatal(err)
		}
		leader := collab.Actor{ID: "lene"}
		archived, err := ps.SetArchived(ctx, collab.Actor{ID: "admin"}, p.ID, true, "Erstattet av ny plan")
		if err != nil {
			t.Fatal(err)
		}
		if !archived.Archived || archived.Seq != p.Seq+1 || archived.Phase != p.Phase {
			t.Fatalf("archived plan: archived %t seq %d phase %s", archived.Archived, archived.Seq, archived.Phase)
		}
		if got, _ := ps.Get(ctx, p.ID); !got.Archived {
			t.Fatal("the archive is not in the stored plan")
		}
		list, err := ps.List(ctx, "m1")
		if err != nil || len(list) != 1 || !list[0].Archived {
			t.Fatalf("listing %+v, %v: want the plan flagged archived", list, err)
		}

		refused := map[string]func() error{
			"add section": func() error {
				_, _, err := ps.AddSection(ctx, leader, p.ID, 0, collab.NewSection{Title: "Ny del"})
				return err
			},
			"rename section": func() error {
				title := "Nytt navn"
				_, err := ps.UpdateSection(ctx, leader, p.ID, p.Sections[0].ID, 0, collab.SectionPatch{Title: &title})
				return err
			},
			"set member": func() error {
				_, err := ps.SetMember(ctx, collab.Actor{ID: "admin"}, p.ID, "mats", []string{"member"})
				return err
			},
			"milestone": func() error {
				title, date := "Oppstart", "2027-01-04"
				_, _, err := collab.Save(ctx, ps, leader, p.ID, "", collab.MilestoneInput{Title: &title, Date: &date})
				return err
			},
			"settings": func() error {
				n := 3
				_, err := ps.ChangeSettings(ctx, leader, p.ID, 0, nil, &n)
				return err
			},
			"lock": func() error {
				_, err := ps.Step(ctx, "siri", p.ID, func(*collab.Plan) (collab.Step, error) {
					return collab.Step{Action: "lock", To: collab.PhaseReview}, nil
				})
				return err
			},
		}
		for name, fn := range refused {
			if err := fn(); collab.ErrorCode(err) != collab.CodeArchived {
				t.Errorf("%s on an archived plan: %v, want %s", name, err, collab.CodeArchived)
			}
		}
		if got, _ := ps.Get(ctx, p.ID); got.Seq != archived.Seq {
			t.Errorf("the archived plan moved from seq %d to %d", archived.Seq, got.Seq)
		}

		if _, err := ps.SetArchived(ctx, collab.Actor{ID: "admin"}, p.ID, true, ""); collab.ErrorCode(err) != collab.CodeConflict {
			t.Errorf("archiving twice: %v, want conflict", err)
		}
		if _, err := ps.SetArchived(ctx, collab.Actor{ID: "admin"}, p.ID, true, strings.Repeat("x", 1001)); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Errorf("a reason of 1001 characters: %v, want invalid", err)
		}

		restored, err := ps.SetArchived(ctx, collab.Actor{ID: "admin"}, p.ID, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if restored.Archived || restored.Phase != collab.PhaseDraft || outline(restored) != outline(p) {
			t.Fatalf("restored plan: archived %t phase %s", restored.Archived, restored.Phase)
		}
		if _, _, err := ps.AddSection(ctx, leader, p.ID, 0, collab.NewSection{Title: "Ny del"}); err != nil {
			t.Errorf("add a section to the restored plan: %v", err)
		}
		if _, err := ps.SetArchived(ctx, collab.Actor{ID: "admin"}, p.ID, false, ""); collab.ErrorCode(err) != collab.CodeConflict {
			t.Errorf("restoring a plan that is not archived: %v, want conflict", err)
		}

		// The log tells the story: created, archived, unarchived, section.
		log, err := ps.Log(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range log {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, " "); got != "plan.created plan.archived plan.unarchived section.added" {
			t.Errorf("log kinds %q", got)
		}
	})
}

// TestPlans_CreateTakesTheGivenPrivacyThreshold checks that a plan starts
// with the privacy threshold it is created with (the municipality's
// default), the product's default without one, and that an impossible
// threshold is refused.
func TestPlans_CreateTakesTheGivenPrivacyThreshold(t *testing.T) {
	ctx := context.Background()
	ps := newPlans(t, backends()[0].open(t), nil)
	for _, c := range []struct {
		in, want int
		code     collab.Code
	}{{0, 5, ""}, {8, 8, ""}, {1, 1, ""}, {-1, 0, collab.CodeInvalid}, {101, 0, collab.CodeInvalid}} {
		p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Boligplan", Municipality: "m1", PrivacyThreshold: c.in})
		if collab.ErrorCode(err) != c.code {
			t.Errorf("threshold %d: %v, want %q", c.in, err, c.code)
			continue
		}
		if err == nil && p.PrivacyThreshold != c.want {
			t.Errorf("threshold %d: the plan has %d, want %d", c.in, p.PrivacyThreshold, c.want)
		}
	}
}
