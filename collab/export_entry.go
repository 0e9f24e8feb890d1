package collab

import (
	"context"
	"strings"
	"unicode/utf8"
)

// The audit of exports (SPEC.md §7): every export a member starts is a
// plan-log entry, so the audit log says who took the plan out of Temaplan,
// in which format and of which version. The entry changes nothing in the
// plan; it is allowed on an archived plan, whose export is allowed too.

// kindExportStarted is the entry kind of an export started.
const kindExportStarted = "export.started"

// exportStarted records an export: its format (html, pdf, docx, xlsx) and
// what it shows, the named version's name or NowRef for the plan as it is.
type exportStarted struct {
	Format string `json:"format"`
	Of     string `json:"of"`
}

func (c *exportStarted) kind() string        { return kindExportStarted }
func (c *exportStarted) touches() []string   { return []string{"exports"} }
func (c *exportStarted) apply(_ *Plan) error { return nil }

// maxExportRef bounds what an export entry names.
const maxExportRef = 200

// RecordExport writes the entry of an export of plan planID in format, of
// the named version of (its name) or NowRef. by's check decides whether
// by may export the plan as it stands.
func (ps *Plans) RecordExport(ctx context.Context, by Actor, planID, format, of string) error {
	of = strings.TrimSpace(of)
	if of == "" {
		of = NowRef
	}
	if !utf8.ValidString(of) || utf8.RuneCountInString(of) > maxExportRef || !utf8.ValidString(format) || len(format) > 20 {
		return Errorf(CodeInvalid, "the export's format or version is not valid text")
	}
	_, err := ps.commit(ctx, by, planID, 0, &exportStarted{Format: format, Of: of})
	return err
}
