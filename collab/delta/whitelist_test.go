package delta

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite formats.json from DefaultWhitelist")

// TestFormatsJSON_MatchesWhitelist keeps formats.json, which the browser
// imports to configure Quill, equal to DefaultWhitelist. Run
// `go test ./collab/delta -run FormatsJSON -update` after changing the table.
func TestFormatsJSON_MatchesWhitelist(t *testing.T) {
	want, err := WhitelistJSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("formats.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("formats.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("formats.json differs from DefaultWhitelist; run `go test ./collab/delta -run FormatsJSON -update`\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestDefaultWhitelist_IsConsistent(t *testing.T) {
	if _, err := NewValidator(DefaultWhitelist(), DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range DefaultWhitelist().Formats {
		names[f.Name] = true
	}
	for _, name := range []string{"bold", "italic", "underline", "strike", "link", "header", "list", "blockquote", "indent", "table"} {
		if !names[name] {
			t.Errorf("format %q is missing", name)
		}
	}
	if len(names) != 10 {
		t.Errorf("%d formats, want 10", len(names))
	}
}

func TestNewValidator_RefusesBadWhitelist(t *testing.T) {
	tests := []struct {
		name string
		w    Whitelist
	}{
		{"duplicate", Whitelist{Formats: []Format{{Name: "bold", Type: TypeTrue}, {Name: "bold", Type: TypeTrue}}}},
		{"unknown type", Whitelist{Formats: []Format{{Name: "bold", Type: "maybe"}}}},
		{"no name", Whitelist{Formats: []Format{{Type: TypeTrue}}}},
		{"bad pattern", Whitelist{Formats: []Format{{Name: "x", Type: TypeString, MaxLength: 3, Pattern: "("}}}},
		{"min above max", Whitelist{Formats: []Format{{Name: "x", Type: TypeInteger, Min: 3, Max: 1}}}},
		{"enum without values", Whitelist{Formats: []Format{{Name: "x", Type: TypeEnum}}}},
		{"url without schemes", Whitelist{Formats: []Format{{Name: "x", Type: TypeURL, MaxLength: 9}}}},
		{"duplicate embed", Whitelist{Embeds: []Format{{Name: "image", Type: TypeTrue}, {Name: "image", Type: TypeTrue}}}},
	}
	for _, tt := range tests {
		if _, err := NewValidator(tt.w, Limits{}); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}
