package server

import (
	"reflect"
	"testing"
)

// TestPublicTexts_BothLanguagesComplete checks that every fixed text of
// the public pages exists in bokmål and nynorsk, and that the two
// differ where the languages do (a text copied over untranslated shows).
func TestPublicTexts_BothLanguagesComplete(t *testing.T) {
	nb, nn := reflect.ValueOf(textsNB), reflect.ValueOf(textsNN)
	same := map[string]bool{"Privacy": true, "Storage": true, "Organisation": true, "Email": true, "ReceiptNo": true,
		"KeepIt": true, "Footer": true, "CaseNumber": true}
	for i := range nb.NumField() {
		name := nb.Type().Field(i).Name
		a, b := nb.Field(i).String(), nn.Field(i).String()
		if a == "" || b == "" {
			t.Errorf("%s: bokmål %q, nynorsk %q", name, a, b)
		}
		if a == b && !same[name] {
			t.Errorf("%s is the same in both: %q", name, a)
		}
	}
}
