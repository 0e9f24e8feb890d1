package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// API is a client of one node's REST API, acting as the user whose access
// token token returns (nil: anonymous).
type API struct {
	base  string // http://host:port
	token func() string
	http  *http.Client
}

// NewAPI returns a client of the node at base (http://host:port) that
// sends token's access token, e.g. a Session's Token.
func NewAPI(base string, token func() string) *API {
	return &API{base: base, token: token, http: &http.Client{Timeout: 30 * time.Second}}
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

// PlanSummary is a plan in the listing of GET /api/plans.
type PlanSummary struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Phase string   `json:"phase"`
	Roles []string `json:"roles"`
}

// Plans lists the plans the user may read.
func (a *API) Plans(ctx context.Context) ([]PlanSummary, error) {
	var out struct {
		Items []PlanSummary `json:"items"`
	}
	if err := a.do(ctx, http.MethodGet, "/api/plans", nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// Plan returns a plan with its sections.
func (a *API) Plan(ctx context.Context, id string) (*Plan, error) {
	var p Plan
	if err := a.do(ctx, http.MethodGet, "/api/plans/"+url.PathEscape(id), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// DemoPlan returns the demo plan (seeded by the nodes' -demo) as the user
// sees it, after finding it in the user's listing.
func (a *API) DemoPlan(ctx context.Context) (*Plan, error) {
	list, err := a.Plans(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(list, func(p PlanSummary) bool { return p.ID == demoPlanID })
	if i < 0 {
		return nil, fmt.Errorf("GET /api/plans does not list the demo plan %q (%d plans): did the nodes start with -demo?", demoPlanID, len(list))
	}
	p, err := a.Plan(ctx, demoPlanID)
	if err != nil {
		return nil, err
	}
	if len(p.Sections) == 0 {
		return nil, fmt.Errorf("the demo plan %q has no sections", demoPlanID)
	}
	return p, nil
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
	_, err := a.call(ctx, method, path, nil, in, out)
	return err
}

// call is do with a cookie to send (nil: none), returning the cookies the
// answer sets.
func (a *API) call(ctx context.Context, method, path string, cookie *http.Cookie, in, out any) ([]*http.Cookie, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != nil {
		req.Header.Set("Authorization", "Bearer "+a.token())
	}
	if cookie != nil {
		// Sent by hand: the refresh cookie is Secure, which a cookie jar
		// keeps off plain http://.
		req.AddCookie(cookie)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("%s %s: %s: %s (%s)", method, path, resp.Status, e.Error.Message, e.Error.Code)
		}
		return nil, fmt.Errorf("%s %s: %s: %.200s", method, path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return resp.Cookies(), nil
}

// Me is the logged-in account.
type Me struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

// Me returns the account behind the token.
func (a *API) Me(ctx context.Context) (*Me, error) {
	var me Me
	if err := a.do(ctx, http.MethodGet, "/api/me", nil, &me); err != nil {
		return nil, err
	}
	return &me, nil
}

// CreatePlan creates a plan from the template with leader (an account id)
// as its leader; the administrator's right.
func (a *API) CreatePlan(ctx context.Context, title, leader string) (*Plan, error) {
	var p Plan
	body := map[string]string{"title": title, "type": "temaplan", "leader": leader}
	if err := a.do(ctx, http.MethodPost, "/api/plans", body, &p); err != nil {
		return nil, err
	}
	if len(p.Sections) == 0 {
		return nil, fmt.Errorf("the new plan %q has no sections", p.ID)
	}
	return &p, nil
}

// SetMember gives the account uid the roles in the plan.
func (a *API) SetMember(ctx context.Context, plan, uid string, roles ...string) error {
	path := "/api/plans/" + url.PathEscape(plan) + "/members/" + url.PathEscape(uid)
	return a.do(ctx, http.MethodPut, path, map[string][]string{"roles": roles}, nil)
}

// NewComment is a comment thread to start on a range of a section, as
// the author saw it at version V.
type NewComment struct {
	Section string `json:"section"`
	V       int64  `json:"v"`
	Index   int    `json:"index"`
	Length  int    `json:"length"`
	Body    string `json:"body"`
}

// AddComment starts a comment thread.
func (a *API) AddComment(ctx context.Context, plan string, c NewComment) error {
	return a.do(ctx, http.MethodPost, "/api/plans/"+url.PathEscape(plan)+"/comments", c, nil)
}

// benchHTTP is the HTTP client of the load scenarios' REST calls: many at
// once to one host, so it keeps enough connections open for them rather
// than opening (and leaving in TIME_WAIT) a new one per call.
func benchHTTP() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// WithHTTP returns a copy of the client that uses hc.
func (a *API) WithHTTP(hc *http.Client) *API {
	b := *a
	b.http = hc
	return &b
}
