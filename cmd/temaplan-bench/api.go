package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// API is a client of one node's REST API. Token, once accounts exist, is
// sent as a bearer token.
type API struct {
	base  string // http://host:port
	token string
	http  *http.Client
}

// NewAPI returns a client of the node at base (http://host:port).
func NewAPI(base string) *API {
	return &API{base: base, http: &http.Client{Timeout: 30 * time.Second}}
}

// Plan is the part of a plan the bench uses.
type Plan struct {
	ID       string     `json:"id"`
	Seq      int64      `json:"seq"`
	Sections []*Section `json:"sections"`
}

// Section is a node of a plan's section tree.
type Section struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Children []*Section `json:"children"`
}

// CreatePlan creates a plan.
func (a *API) CreatePlan(ctx context.Context, title, municipality string) (*Plan, error) {
	var p Plan
	body := map[string]string{"title": title, "municipality": municipality}
	if err := a.do(ctx, http.MethodPost, "/api/plans", body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" || len(p.Sections) == 0 {
		return nil, fmt.Errorf("POST /api/plans: the new plan has no id or no sections")
	}
	return &p, nil
}

// SectionContent returns the stored text of a section and its version.
func (a *API) SectionContent(ctx context.Context, plan, section string) (int64, delta.Delta, error) {
	var out struct {
		V    int64       `json:"v"`
		Data delta.Delta `json:"data"`
	}
	path := "/api/plans/" + url.PathEscape(plan) + "/sections/" + url.PathEscape(section) + "/content"
	if err := a.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return 0, delta.Delta{}, err
	}
	return out.V, out.Data, nil
}

// do sends a JSON request and decodes a 2xx answer into out; any other
// answer is an error carrying the API's error code and message.
func (a *API) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Code != "" {
			return fmt.Errorf("%s %s: %s: %s (%s)", method, path, resp.Status, e.Error.Message, e.Error.Code)
		}
		return fmt.Errorf("%s %s: %s: %.200s", method, path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}
