package delta

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// FormatType says which values a format (or an embed) accepts. Null is
// always accepted in a retain, where it removes the format, and never in an
// insert.
type FormatType string

// The format types.
const (
	// TypeTrue accepts the boolean true only (Quill writes false as null).
	TypeTrue FormatType = "true"
	// TypeInteger accepts an integer from Min to Max.
	TypeInteger FormatType = "integer"
	// TypeEnum accepts one of the strings in Values.
	TypeEnum FormatType = "enum"
	// TypeURL accepts an absolute URL whose scheme is one of Schemes
	// (compared case-insensitively), at most MaxLength code units long,
	// without whitespace or control characters anywhere (browsers strip
	// those, which would let "java\tscript:" through a naive check).
	TypeURL FormatType = "url"
	// TypeString accepts a string matching Pattern (a regular expression
	// valid in both Go and JavaScript) of at most MaxLength code units.
	TypeString FormatType = "string"
)

// The scopes of a format, as Quill's Parchment names them.
const (
	ScopeInline = "inline"
	ScopeBlock  = "block"
	ScopeEmbed  = "embed"
)

// Format is one allowed attribute (or embed) and its values.
type Format struct {
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	Type      FormatType `json:"type"`
	Min       int        `json:"min,omitempty"`
	Max       int        `json:"max,omitempty"`
	Values    []string   `json:"values,omitempty"`
	Schemes   []string   `json:"schemes,omitempty"`
	Pattern   string     `json:"pattern,omitempty"`
	MaxLength int        `json:"maxLength,omitempty"`
}

// Whitelist lists the formats and embeds a delta may use. The browser
// configures Quill from the same list (formats.json, see WhitelistJSON), so
// an edit the editor made is never refused for its formats.
type Whitelist struct {
	Formats []Format `json:"formats"`
	Embeds  []Format `json:"embeds"`
}

// DefaultWhitelist returns Temaplan's whitelist, the one table of allowed
// formats shared with the browser:
//
//   - bold, italic, underline, strike: true;
//   - link: an http, https or mailto URL;
//   - header: 1 to 4; list: "ordered" or "bullet"; blockquote: true;
//     indent: 1 to 8;
//   - table: the row id Quill 2's table module gives a cell's line
//     ("row-" and base-36 digits, see tableId in quill/formats/table.ts).
//
// The one embed is measure: a measure of the plan shown live in the text
// (its value is the measure's id). An embed is an entry of Embeds whose
// Name is the embed's key and whose type checks its value.
func DefaultWhitelist() Whitelist {
	return Whitelist{
		Formats: []Format{
			{Name: "bold", Scope: ScopeInline, Type: TypeTrue},
			{Name: "italic", Scope: ScopeInline, Type: TypeTrue},
			{Name: "underline", Scope: ScopeInline, Type: TypeTrue},
			{Name: "strike", Scope: ScopeInline, Type: TypeTrue},
			{Name: "link", Scope: ScopeInline, Type: TypeURL, Schemes: []string{"http", "https", "mailto"}, MaxLength: 2048},
			{Name: "header", Scope: ScopeBlock, Type: TypeInteger, Min: 1, Max: 4},
			{Name: "list", Scope: ScopeBlock, Type: TypeEnum, Values: []string{"ordered", "bullet"}},
			{Name: "blockquote", Scope: ScopeBlock, Type: TypeTrue},
			{Name: "indent", Scope: ScopeBlock, Type: TypeInteger, Min: 1, Max: 8},
			{Name: "table", Scope: ScopeBlock, Type: TypeString, Pattern: "^row-[0-9a-z]{1,16}$", MaxLength: 20},
		},
		Embeds: []Format{
			{Name: "measure", Scope: ScopeEmbed, Type: TypeString, Pattern: "^[A-Za-z0-9_-]{1,100}$", MaxLength: 100},
		},
	}
}

// WhitelistJSON returns DefaultWhitelist as indented JSON, as written to
// formats.json for the browser.
func WhitelistJSON() ([]byte, error) {
	b, err := json.MarshalIndent(DefaultWhitelist(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// rule is a Format prepared for checking values.
type rule struct {
	Format
	pattern *regexp.Regexp
}

func newRule(f Format) (rule, error) {
	r := rule{Format: f}
	if f.Name == "" {
		return r, fmt.Errorf("a format has no name")
	}
	switch f.Type {
	case TypeTrue:
	case TypeInteger:
		if f.Min > f.Max {
			return r, fmt.Errorf("format %q: min %d is above max %d", f.Name, f.Min, f.Max)
		}
	case TypeEnum:
		if len(f.Values) == 0 {
			return r, fmt.Errorf("format %q: no values", f.Name)
		}
	case TypeURL:
		if len(f.Schemes) == 0 || f.MaxLength <= 0 {
			return r, fmt.Errorf("format %q: needs schemes and maxLength", f.Name)
		}
	case TypeString:
		if f.MaxLength <= 0 {
			return r, fmt.Errorf("format %q: needs maxLength", f.Name)
		}
		if f.Pattern != "" {
			re, err := regexp.Compile(f.Pattern)
			if err != nil {
				return r, fmt.Errorf("format %q: %w", f.Name, err)
			}
			r.pattern = re
		}
	default:
		return r, fmt.Errorf("format %q: unknown type %q", f.Name, f.Type)
	}
	return r, nil
}

// check returns why v is not a value of the format, or "".
func (r rule) check(v any) string {
	switch r.Type {
	case TypeTrue:
		if b, ok := v.(bool); ok && b {
			return ""
		}
		return "must be true (or null to remove it)"
	case TypeInteger:
		f, ok := toFloat(v)
		if !ok || f != float64(int64(f)) || f < float64(r.Min) || f > float64(r.Max) {
			return fmt.Sprintf("must be an integer from %d to %d", r.Min, r.Max)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return "must be a string"
	}
	if p := textProblem(s); p != "" {
		return p
	}
	switch r.Type {
	case TypeEnum:
		for _, value := range r.Values {
			if s == value {
				return ""
			}
		}
		return fmt.Sprintf("must be one of %s", strings.Join(quoteAll(r.Values), ", "))
	case TypeURL:
		return checkURL(s, r.Schemes, r.MaxLength)
	}
	if utf16Len(s) > r.MaxLength {
		return fmt.Sprintf("is longer than %d characters", r.MaxLength)
	}
	if r.pattern != nil && !r.pattern.MatchString(s) {
		return fmt.Sprintf("must match %s", r.Pattern)
	}
	return ""
}

// checkURL returns why s is not a safe absolute URL with one of schemes,
// or "".
func checkURL(s string, schemes []string, maxLength int) string {
	if s == "" {
		return "must not be empty"
	}
	if utf16Len(s) > maxLength {
		return fmt.Sprintf("is longer than %d characters", maxLength)
	}
	for i := 0; i < len(s); i++ {
		// Browsers drop tabs and newlines anywhere in a URL and spaces and
		// control characters around it: none may hide the scheme.
		if c := s[i]; c <= ' ' || c == 0x7F {
			return "must not contain spaces or control characters"
		}
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !isScheme(s[:colon]) {
		return fmt.Sprintf("must be an absolute URL with scheme %s", strings.Join(schemes, ", "))
	}
	scheme := strings.ToLower(s[:colon])
	allowed := false
	for _, sc := range schemes {
		allowed = allowed || scheme == sc
	}
	if !allowed {
		return fmt.Sprintf("scheme %q is not allowed (only %s)", scheme, strings.Join(schemes, ", "))
	}
	rest := s[colon+1:]
	switch scheme {
	case "http", "https":
		host, _, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "/")
		if !strings.HasPrefix(rest, "//") || host == "" || strings.ContainsAny(host, `\`) {
			return "must name a host (" + scheme + "://host/...)"
		}
	default:
		if rest == "" {
			return "must not be empty after the scheme"
		}
	}
	return ""
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, '+', '-' or '.'.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (s[i] >= '0' && s[i] <= '9' || s[i] == '+' || s[i] == '-' || s[i] == '.'):
		default:
			return false
		}
	}
	return s != ""
}

func quoteAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
