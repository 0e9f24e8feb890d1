package render_test

import (
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/render"
)

func doc(t *testing.T, js string) delta.Delta {
	t.Helper()
	d, err := delta.Parse([]byte(`{"ops":` + js + `}`))
	if err != nil {
		t.Fatalf("parse %s: %v", js, err)
	}
	return d
}

func toHTML(t *testing.T, js string, opt render.Options) string {
	t.Helper()
	return render.HTML(render.Blocks(doc(t, js)), opt)
}

// TestFormats_AreTheWhitelist fails when formats.json gains a format the
// renderer does not show, or the renderer shows one the whitelist lacks.
func TestFormats_AreTheWhitelist(t *testing.T) {
	wl := delta.DefaultWhitelist()
	var want []string
	for _, f := range append(wl.Formats, wl.Embeds...) {
		want = append(want, f.Name)
	}
	got := render.Formats()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("renderer formats %v, whitelist %v", got, want)
	}
}

func TestHTML(t *testing.T) {
	cases := []struct {
		name string
		in   string
		opt  render.Options
		want string
	}{
		{"plain", `[{"insert":"Hei\n"}]`, render.Options{}, "<p>Hei</p>\n"},
		{"empty line", `[{"insert":"\n"}]`, render.Options{}, "<p><br></p>\n"},
		{"inline formats", `[{"insert":"a","attributes":{"bold":true}},{"insert":"b","attributes":{"italic":true,"underline":true}},{"insert":"c","attributes":{"strike":true}},{"insert":"\n"}]`,
			render.Options{}, "<p><strong>a</strong><em><u>b</u></em><s>c</s></p>\n"},
		{"heading shifted", `[{"insert":"Tittel"},{"insert":"\n","attributes":{"header":2}}]`, render.Options{HeadingShift: 2}, "<h4>Tittel</h4>\n"},
		{"heading capped at 6", `[{"insert":"T"},{"insert":"\n","attributes":{"header":4}}]`, render.Options{HeadingShift: 5}, "<h6>T</h6>\n"},
		{"link", `[{"insert":"kommune","attributes":{"link":"https://kommune.no/a?b=1&c=\"2\""}},{"insert":"\n"}]`, render.Options{},
			`<p><a href="https://kommune.no/a?b=1&amp;c=&#34;2&#34;" rel="noopener noreferrer">kommune</a></p>` + "\n"},
		{"mailto", `[{"insert":"skriv","attributes":{"link":"mailto:post@kommune.no"}},{"insert":"\n"}]`, render.Options{},
			`<p><a href="mailto:post@kommune.no" rel="noopener noreferrer">skriv</a></p>` + "\n"},
		{"bullets nested", `[{"insert":"a"},{"insert":"\n","attributes":{"list":"bullet"}},{"insert":"b"},{"insert":"\n","attributes":{"list":"bullet","indent":1}},{"insert":"c"},{"insert":"\n","attributes":{"list":"bullet"}}]`,
			render.Options{}, "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>\n"},
		{"ordered after bullet", `[{"insert":"a"},{"insert":"\n","attributes":{"list":"bullet"}},{"insert":"b"},{"insert":"\n","attributes":{"list":"ordered"}}]`,
			render.Options{}, "<ul><li>a</li></ul><ol><li>b</li></ol>\n"},
		{"quote", `[{"insert":"x"},{"insert":"\n","attributes":{"blockquote":true}},{"insert":"y"},{"insert":"\n","attributes":{"blockquote":true}}]`,
			render.Options{}, "<blockquote><p>x</p>\n<p>y</p>\n</blockquote>\n"},
		{"indent", `[{"insert":"x"},{"insert":"\n","attributes":{"indent":3}}]`, render.Options{}, `<p class="indent-3">x</p>` + "\n"},
		{"table", `[{"insert":"a"},{"insert":"\n","attributes":{"table":"row-1"}},{"insert":"b"},{"insert":"\n","attributes":{"table":"row-1"}},{"insert":"c"},{"insert":"\n","attributes":{"table":"row-2"}},{"insert":"d"},{"insert":"\n","attributes":{"table":"row-2"}}]`,
			render.Options{}, `<table class="text-table"><tbody><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></tbody></table>` + "\n"},
		{"measure", `[{"insert":"før\n"},{"insert":{"measure":"m1"}},{"insert":"etter\n"}]`,
			render.Options{Measure: func(id string) (render.MeasureView, bool) {
				return render.MeasureView{Title: "Tiltak <" + id + ">", Facts: []string{"Sum & mer"}}, id == "m1"
			}},
			"<p>før</p>\n" + `<div class="measure"><p class="measure-title"><strong>Tiltak &lt;m1&gt;</strong></p><ul><li>Sum &amp; mer</li></ul></div>` + "\n<p>etter</p>\n"},
		{"deleted measure", `[{"insert":{"measure":"gone"}},{"insert":"\n"}]`, render.Options{DeletedMeasure: "Tiltaket er slettet"},
			`<div class="measure measure-deleted"><p>Tiltaket er slettet</p></div>` + "\n"},
		{"unknown formats are plain", `[{"insert":"x","attributes":{"color":"red","font":"serif","script":"super","bold":"yes"}},{"insert":"\n","attributes":{"align":"center","header":9,"list":"check"}}]`,
			render.Options{}, "<p>x</p>\n"},
		{"control characters dropped", "[{\"insert\":\"a\\u0000b\\u0008c\\u001bd\\te\\n\"}]", render.Options{}, "<p>abcd\te</p>\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := toHTML(t, c.in, c.opt); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestHTML_EscapesScript checks that markup typed as text stays text,
// wherever it is: in text, headings, list items, table cells and the
// facts of a measure.
func TestHTML_EscapesScript(t *testing.T) {
	hostile := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`"><svg onload=alert(1)>`,
		`</p><iframe src="javascript:alert(1)"></iframe>`,
		`<!-- x --><style>*{}</style>`,
		`&lt;script&gt;`,
	}
	for _, h := range hostile {
		ops := []map[string]any{
			{"insert": h}, {"insert": "\n"},
			{"insert": h}, {"insert": "\n", "attributes": map[string]any{"header": 1}},
			{"insert": h}, {"insert": "\n", "attributes": map[string]any{"list": "bullet"}},
			{"insert": h}, {"insert": "\n", "attributes": map[string]any{"table": "row-a"}},
			{"insert": h, "attributes": map[string]any{"link": "https://x.no/" + h[:1]}}, {"insert": "\n", "attributes": map[string]any{"blockquote": true}},
			{"insert": map[string]any{"measure": "m"}}, {"insert": "\n"},
		}
		js, _ := json.Marshal(ops)
		out := toHTML(t, string(js), render.Options{Measure: func(string) (render.MeasureView, bool) {
			return render.MeasureView{Title: h, Facts: []string{h}}, true
		}})
		checkMarkup(t, h, out)
		if !strings.Contains(out, html.EscapeString(h)) {
			t.Errorf("text %q is not in the output escaped:\n%s", h, out)
		}
	}
}

// TestHTML_RefusesDangerousLinks checks that a link the whitelist would
// refuse is never written as a link, even if it reached a stored document.
func TestHTML_RefusesDangerousLinks(t *testing.T) {
	for _, u := range []string{
		"javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
		"javascript\n:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
		"//evil.example/x", "/relative", "file:///etc/passwd", "http:/x", "https:", "mailto:",
		"https://x.no/\u2028", "https://x.no/\u0085", "\ufeffhttps://x.no",
	} {
		js, _ := json.Marshal([]map[string]any{{"insert": "klikk", "attributes": map[string]any{"link": u}}, {"insert": "\n"}})
		out := toHTML(t, string(js), render.Options{})
		if strings.Contains(out, "<a") || strings.Contains(out, "href") {
			t.Errorf("link %q written: %s", u, out)
		}
		if out != "<p>klikk</p>\n" {
			t.Errorf("link %q: text not kept as plain text: %s", u, out)
		}
	}
	for _, u := range []string{"http://x.no", "https://x.no/a b"} {
		_, ok := render.SafeURL(u)
		if want := u == "http://x.no"; ok != want {
			t.Errorf("SafeURL(%q) = %v, want %v", u, ok, want)
		}
	}
}

func TestBlocks_Text(t *testing.T) {
	bs := render.Blocks(doc(t, `[{"insert":"Hei "},{"insert":"du","attributes":{"bold":true}},{"insert":"\nLinje to\n"}]`))
	if len(bs) != 2 || bs[0].Text() != "Hei du" || bs[1].Text() != "Linje to" {
		t.Fatalf("blocks = %+v", bs)
	}
	if len(bs[0].Runs) != 2 || !bs[0].Runs[1].Bold {
		t.Errorf("runs = %+v", bs[0].Runs)
	}
}

// tagRE is a tag the renderer writes: an allowed element with at most the
// attributes it sets, each quoted and free of markup.
var tagRE = regexp.MustCompile(`^</?(p|br|h[1-6]|strong|em|u|s|a|ul|ol|li|blockquote|table|tbody|tr|td|div)((?: (?:href|rel|class)="[^"<>]*")*)>$`)

// checkMarkup fails when out holds a tag the renderer does not write:
// since text escapes every "<", each "<" left must open one of its own.
func checkMarkup(t *testing.T, text, out string) {
	t.Helper()
	for i := strings.IndexByte(out, '<'); i >= 0; i = strings.IndexByte(out, '<') {
		end := strings.IndexByte(out[i:], '>')
		if end < 0 {
			t.Errorf("text %q: unclosed tag in %s", text, out)
			return
		}
		if tag := out[i : i+end+1]; !tagRE.MatchString(tag) {
			t.Errorf("text %q comes out as markup %q", text, tag)
		}
		out = out[i+end+1:]
	}
}
