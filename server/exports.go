package server

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/export"
)

// This file serves the plan's exports (SPEC.md §7): a member asks for the
// plan, or one of its named versions, as HTML, PDF, DOCX or XLSX; the node
// reads the texts and content at once, makes the file in the background
// (export.Jobs) and keeps it for an hour for the members to download.
//
// Jobs run on the node that was asked and are kept in its memory and, with
// Config.Exports, in the store, where every node reads their status and
// files (several nodes behind a round-robin proxy). Exports are derived
// data: a restart loses only the jobs under way (a member asks again).

// exportService is the server's exports: the jobs and the PDF printer.
type exportService struct {
	jobs     *export.Jobs
	chromium *export.Chromium
}

func newExportService(cfg Config) *exportService {
	return &exportService{
		jobs:     export.NewJobs(export.JobsConfig{Now: cfg.Now, Log: cfg.Log, Store: cfg.Exports}),
		chromium: export.NewChromium(cfg.Chromium, export.DefaultPDFSlots, export.DefaultPDFTimeout),
	}
}

// close stops the jobs under way.
func (es *exportService) close() { es.jobs.Close() }

// exportRequest is the body of POST /plans/:id/exports.
type exportRequest struct {
	Format  string `json:"format"`
	Version string `json:"version"`
}

// exportView is an export job as the API shows it: with the address of
// its file once it is done.
type exportView struct {
	export.Job
	Filename string `json:"filename,omitempty"`
	File     string `json:"file,omitempty"`
}

func (s *Server) exportView(p *collab.Plan, job export.Job) exportView {
	v := exportView{Job: job}
	if job.Status == export.StatusDone {
		v.Filename = exportFilename(p.Title, job.Version, job.Format)
		v.File = "/api/plans/" + p.ID + "/exports/" + job.ID + "/file"
	}
	return v
}

// startExport reads what the export shows and starts making it: 202 with
// the job, whose status GET /plans/:id/exports/:eid answers.
func (s *Server) startExport(c echo.Context) error {
	p := planOf(c)
	var in exportRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	format := export.Format(in.Format)
	if !slices.Contains(export.Formats(), format) {
		return collab.Errorf(collab.CodeInvalid, "format must be html, pdf, docx or xlsx, not %q", truncate(in.Format, 20))
	}
	if len(in.Version) > 200 {
		return collab.Errorf(collab.CodeInvalid, "version: at most 200 characters")
	}
	if format == export.FormatPDF {
		// Said at once, rather than by a job that fails.
		if err := s.exports.chromium.Available(); err != nil {
			return err
		}
	}
	doc, err := s.exportDocument(c.Request().Context(), p, strings.TrimSpace(in.Version))
	if err != nil {
		return err
	}
	// Every export is in the audit log: who, which format, of what. It is
	// written before the job starts, so no export goes unrecorded.
	of := doc.Version
	if of == "" {
		of = collab.NowRef
	}
	if err := s.cfg.Plans.RecordExport(c.Request().Context(), s.actor(c, auth.ActionExport), p.ID, string(format), of); err != nil {
		return err
	}
	printer := s.exports.chromium
	job, err := s.exports.jobs.Start(p.ID, principal(c).Account.ID, format, doc.Version,
		func(ctx context.Context, progress func(int)) ([]byte, error) {
			switch format {
			case export.FormatHTML:
				return export.HTML(doc), nil
			case export.FormatPDF:
				page := export.HTML(doc)
				progress(20)
				return printer.PDF(ctx, page)
			case export.FormatDOCX:
				return export.DOCX(doc)
			}
			return export.XLSX(doc)
		})
	if err != nil {
		return err
	}
	v := s.exportView(p, job)
	c.Response().Header().Set(echo.HeaderLocation, "/api/plans/"+p.ID+"/exports/"+job.ID)
	return c.JSON(http.StatusAccepted, v)
}

// getExport answers an export's status and progress.
func (s *Server) getExport(c echo.Context) error {
	p := planOf(c)
	job, ok, err := s.exports.jobs.Get(c.Request().Context(), p.ID, c.Param("eid"))
	if err != nil {
		return err
	}
	if !ok {
		return exportNotFound(c.Param("eid"))
	}
	return c.JSON(http.StatusOK, s.exportView(p, job))
}

// exportFile answers the file of an export that is done, as a download.
func (s *Server) exportFile(c echo.Context) error {
	p := planOf(c)
	job, file, ok, err := s.exports.jobs.File(c.Request().Context(), p.ID, c.Param("eid"))
	switch {
	case err != nil:
		return err
	case !ok:
		return exportNotFound(c.Param("eid"))
	case job.Status == export.StatusFailed:
		return collab.Errorf(collab.CodeConflict, "the export failed (%s): there is no file", job.Error)
	case job.Status != export.StatusDone:
		return collab.Errorf(collab.CodeConflict, "the export is not done yet (%d %%)", job.Progress)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment",
		map[string]string{"filename": exportFilename(p.Title, job.Version, job.Format)}))
	h.Set("Cache-Control", "private, no-store")
	if job.Format == export.FormatHTML {
		// Should a browser show it after all: a document that may do
		// nothing but be read.
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	}
	return c.Blob(http.StatusOK, job.Format.ContentType(), file)
}

func exportNotFound(id string) error {
	return collab.Errorf(collab.CodeNotFound, "export %q not found: exports are kept for an hour", truncate(id, 40))
}

// exportDocument reads what an export of p shows: the current text and
// content, or those of the named version ref.
func (s *Server) exportDocument(ctx context.Context, p *collab.Plan, ref string) (*export.Document, error) {
	plan := p.Clone()
	doc := &export.Document{Plan: plan, Texts: map[string]delta.Delta{}, Generated: s.cfg.Now().In(s.cfg.Zone)}
	var at map[string]int64 // the sections' versions; nil: their heads
	if ref != "" && ref != collab.NowRef {
		v, vc, err := s.cfg.Plans.ReadVersion(ctx, p, ref)
		if err != nil {
			return nil, err
		}
		plan.Sections, plan.Period, plan.Goals, plan.Strategies = vc.Sections, vc.Period, vc.Goals, vc.Strategies
		plan.Measures, plan.Indicators, plan.Milestones = vc.Measures, vc.Indicators, vc.Milestones
		// The sign-off shown is one of exactly these costs.
		if so := plan.EconomicsSignOff; so != nil && (so.Lapsed || so.Hash != collab.CostHash(plan)) {
			plan.EconomicsSignOff = nil
		}
		doc.Version, doc.VersionAt, at = v.Name, v.At, v.Sections
		doc.Hearing = isHearingVersion(v.Name)
		doc.HearingDeadline = hearingDeadline(v.Name)
	}
	if m, err := s.cfg.Accounts.Municipality(ctx, p.Municipality); err == nil {
		doc.Municipality = m.Name
	}
	if s.cfg.Engine == nil {
		return doc, nil
	}
	var ids []string
	plan.Walk(func(sec *collab.Section, _ int) { ids = append(ids, sec.ID) })
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for _, id := range ids {
		v, frozen := at[id]
		if at != nil && !frozen {
			continue // not in the version: shown empty
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var d delta.Delta
			var err error
			if at != nil {
				d, err = s.cfg.Engine.DocAt(ctx, id, v)
			} else {
				_, d, err = s.cfg.Engine.Snapshot(ctx, id)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("section %s: %w", id, err))
				return
			}
			doc.Texts[id] = d
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, collab.Wrap(collab.CodeUnavailable, errors.Join(errs...), "the plan's text could not be read; try again")
	}
	return doc, nil
}

// isHearingVersion reports whether a version is the hearing draft the
// process froze (also a later one, "Høringsutkast (2)").
func isHearingVersion(name string) bool {
	return name == collab.HearingDraftName || strings.HasPrefix(name, collab.HearingDraftName+" (")
}

// deadlineInName finds a date in a version's name: 2027-05-15 or
// 15.05.2027.
var deadlineInName = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)

// hearingDeadline returns the hearing's deadline ("YYYY-MM-DD") for the
// hearing version's header, when the version's name gives one; "" omits
// it from the header.
func hearingDeadline(name string) string {
	m := deadlineInName.FindStringSubmatch(name)
	var s string
	switch {
	case m == nil:
		return ""
	case m[1] != "":
		s = m[1] + "-" + m[2] + "-" + m[3]
	default:
		s = fmt.Sprintf("%s-%02s-%02s", m[6], m[5], m[4])
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return ""
	}
	return s
}

// exportFilename is the file name of an export: the plan's title and the
// version's name, with what file systems and headers cannot take
// replaced, and the format's extension.
func exportFilename(title, version string, f export.Format) string {
	name := title
	if version != "" {
		name += " - " + version
	}
	var sb strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.,()", r):
			if space && sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			space = false
			sb.WriteRune(r)
		case r == '–' || r == '—':
			if space && sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			space = false
			sb.WriteByte('-')
		default:
			space = true
		}
	}
	base := strings.Trim(sb.String(), ". ")
	if r := []rune(base); len(r) > 120 {
		base = strings.TrimSpace(string(r[:120]))
	}
	if base == "" {
		base = "plan"
	}
	return base + "." + string(f)
}
