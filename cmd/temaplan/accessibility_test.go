package main

import (
	"io"
	"strings"
	"testing"
)

// TestLoadConfig_AccessibilityContact checks the feedback contact of the
// accessibility statement: an e-mail address or an https:// address, from
// the environment or a flag, and a clear refusal of anything else.
func TestLoadConfig_AccessibilityContact(t *testing.T) {
	for _, tt := range []struct {
		env, flag string
		want      string
		wantErr   bool
	}{
		{"", "", "", false},
		{"postmottak@bodo.kommune.no", "", "postmottak@bodo.kommune.no", false},
		{" https://bodo.kommune.no/tilgjengelighet ", "", "https://bodo.kommune.no/tilgjengelighet", false},
		{"postmottak@bodo.kommune.no", "https://plan.bodo.no/kontakt", "https://plan.bodo.no/kontakt", false},
		{"http://bodo.kommune.no", "", "", true},
		{"javascript:alert(1)", "", "", true},
		{"Postmottak <postmottak@bodo.kommune.no>", "", "", true},
		{"postmottak", "", "", true},
		{"https://", "", "", true},
	} {
		var args []string
		if tt.flag != "" {
			args = []string{"-accessibility-contact", tt.flag}
		}
		c, err := LoadConfig(args, func(k string) string {
			if k == "TEMAPLAN_ACCESSIBILITY_CONTACT" {
				return tt.env
			}
			return ""
		}, io.Discard)
		switch {
		case tt.wantErr && (err == nil || !strings.Contains(err.Error(), "TEMAPLAN_ACCESSIBILITY_CONTACT")):
			t.Errorf("%q: %v, want an error naming TEMAPLAN_ACCESSIBILITY_CONTACT", tt.env, err)
		case !tt.wantErr && err != nil:
			t.Errorf("%q %q: %v", tt.env, tt.flag, err)
		case !tt.wantErr && c.AccessibilityContact != tt.want:
			t.Errorf("%q %q: contact %q, want %q", tt.env, tt.flag, c.AccessibilityContact, tt.want)
		}
	}
}
