package collab_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// TestCodes_HaveAMessageInEveryCatalogue fails when an error code lacks a
// message in one of the UI's language catalogues.
func TestCodes_HaveAMessageInEveryCatalogue(t *testing.T) {
	files, err := filepath.Glob("../frontend/src/i18n/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("want at least the bokmål and nynorsk catalogues, found %v (%v)", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]string
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, code := range collab.Codes() {
			if cat["error."+string(code)] == "" {
				t.Errorf("%s has no message for error code %q", filepath.Base(f), code)
			}
		}
	}
}

func TestErrorCode(t *testing.T) {
	wrapped := collab.Wrap(collab.CodeLocked, os.ErrClosed, "locked")
	cases := []struct {
		err  error
		code collab.Code
		msg  string
	}{
		{nil, "", "internal error"},
		{os.ErrNotExist, collab.CodeInternal, "internal error"},
		{collab.Errorf(collab.CodeInvalid, "bad %s", "title"), collab.CodeInvalid, "bad title"},
		{wrapped, collab.CodeLocked, "locked"},
	}
	for _, c := range cases {
		if got := collab.ErrorCode(c.err); got != c.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.code)
		}
		if c.err != nil && collab.ErrorMessage(c.err) != c.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", c.err, collab.ErrorMessage(c.err), c.msg)
		}
	}
}
