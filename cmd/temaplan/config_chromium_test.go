package main

import (
	"io"
	"strings"
	"testing"
)

// TestLoadConfig_Chromium checks the path of the browser that prints PDF
// exports: Debian's by default, an absolute path from the environment or
// a flag, and a clear refusal of anything else.
func TestLoadConfig_Chromium(t *testing.T) {
	for _, tt := range []struct {
		env, flag string
		want      string
		wantErr   bool
	}{
		{"", "", "/usr/bin/chromium", false},
		{"/opt/chromium/chrome", "", "/opt/chromium/chrome", false},
		{" /usr/lib/chromium/chromium ", "", "/usr/lib/chromium/chromium", false},
		{"/usr/bin/chromium", "/snap/bin/chromium", "/snap/bin/chromium", false},
		{"/usr/bin/../bin/chromium", "", "/usr/bin/chromium", false},
		{"chromium", "", "", true},
		{"./chromium", "", "", true},
		{"/usr/bin/chromium\n--no-sandbox", "", "", true},
	} {
		var args []string
		if tt.flag != "" {
			args = []string{"-chromium", tt.flag}
		}
		c, err := LoadConfig(args, func(k string) string {
			if k == "TEMAPLAN_CHROMIUM" {
				return tt.env
			}
			return ""
		}, io.Discard)
		switch {
		case tt.wantErr && (err == nil || !strings.Contains(err.Error(), "TEMAPLAN_CHROMIUM")):
			t.Errorf("%q: %v, want an error naming TEMAPLAN_CHROMIUM", tt.env, err)
		case !tt.wantErr && err != nil:
			t.Errorf("%q: %v", tt.env, err)
		case !tt.wantErr && c.Chromium != tt.want:
			t.Errorf("%q, %q: Chromium = %q, want %q", tt.env, tt.flag, c.Chromium, tt.want)
		}
	}
}
