package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/collab/redis/redistest"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// testUI stands in for the built frontend.
var testUI = fstest.MapFS{
	"index.html":          {Data: []byte("<!doctype html><title>Temaplan</title><div id=app></div>")},
	"assets/app-1a2b.js":  {Data: []byte("console.log('temaplan')")},
	"assets/app-1a2b.css": {Data: []byte("body{margin:0}")},
	"favicon.svg":         {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
	// Large enough to be served compressed (ui_gzip.go).
	"assets/big-3c4d.js": {Data: []byte(strings.Repeat("export const plan = 'Boligplan for Demo kommune';\n", 100))},
}

// mongoServer is the MongoDB wire server of this test binary (FerretDB, or
// MONGODB_URI), started by the first test that needs it.
var mongoServer struct {
	once sync.Once
	srv  *mongotest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mongoServer.srv != nil {
		if err := mongoServer.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// eachStore runs fn against a server on each store: SQLite in a temp dir
// and MongoDB (a database of its own on the test binary's server).
func eachStore(t *testing.T, fn func(t *testing.T, ts *testServer)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newTestServer(t)) })
	t.Run("mongo", func(t *testing.T) { fn(t, newMongoTestServer(t)) })
}

// mongoAndRedis returns a database of its own on the test binary's
// MongoDB-wire server, a redis-server of the test's own, and a bus key
// prefix unique to the test, for tests of several nodes.
func mongoAndRedis(ctx context.Context, t *testing.T, name string) (db string, rsrv *redistest.Server, prefix string) {
	t.Helper()
	mongoServer.once.Do(func() { mongoServer.srv, mongoServer.err = mongotest.Start(context.Background()) })
	if mongoServer.err != nil {
		t.Fatal(mongoServer.err)
	}
	rsrv, err := redistest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rsrv.Close() })
	return mongotest.DB(t, mongoServer.srv), rsrv, fmt.Sprintf("%s-%d:", name, time.Now().UnixNano())
}

// newMongoTestServer starts a server on the MongoDB store.
func newMongoTestServer(t *testing.T) *testServer {
	t.Helper()
	mongoServer.once.Do(func() {
		mongoServer.srv, mongoServer.err = mongotest.Start(context.Background())
	})
	if mongoServer.err != nil {
		t.Fatal(mongoServer.err)
	}
	store, err := mongo.Open(context.Background(), mongoServer.srv.URI(), mongotest.DB(t, mongoServer.srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newTestServerOn(t, store)
}

// testServer is a server on a real SQLite store in a temp dir and the
// in-process bus.
type testServer struct {
	t        *testing.T
	srv      *server.Server
	store    collab.Store
	bus      collab.Bus
	engine   *collab.Engine // section text, for tests that write it directly
	plans    *collab.Plans
	accounts *auth.Accounts
	registry *prometheus.Registry
	api      routers.Router // the OpenAPI document, to check responses

	// token is the access token ts.do sends: by default that of kari, the
	// administrator of municipality "m1", who leads the plans she creates
	// through createPlan.
	token string
	kari  testUser
}

// testUser is an account with a fresh access token.
type testUser struct {
	ID, Email, Token string
}

// testSecret signs the access tokens of test servers.
var testSecret = []byte("test-secret-test-secret-test-secret!")

// newTestAccounts returns an accounts service on store with cheap password
// hashing.
func newTestAccounts(t *testing.T, store collab.Store) *auth.Accounts {
	t.Helper()
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Secret: testSecret, Issuer: "temaplan", Audience: "temaplan"})
	if err != nil {
		t.Fatal(err)
	}
	return newAccountsWith(t, store, issuer)
}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// user creates (or finds) an account and logs it in through the API.
func (ts *testServer) user(email, municipality string, admin bool) testUser {
	ts.t.Helper()
	ctx := context.Background()
	if err := ts.accounts.EnsureMunicipality(ctx, auth.Municipality{ID: municipality, Name: "Kommune " + municipality}); err != nil {
		ts.t.Fatal(err)
	}
	a, err := ts.accounts.EnsureUser(ctx, municipality, auth.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: testPassword, Admin: admin})
	if err != nil {
		ts.t.Fatal(err)
	}
	sess, err := ts.accounts.Login(ctx, netip.MustParseAddr("192.0.2.1"), email, testPassword)
	if err != nil {
		ts.t.Fatal(err)
	}
	return testUser{ID: a.ID, Email: a.Email, Token: sess.AccessToken}
}

// member adds u to plan with roles, as kari (the administrator).
func (ts *testServer) member(planID string, u testUser, roles ...string) {
	ts.t.Helper()
	body, _ := json.Marshal(map[string]any{"roles": roles})
	rec := ts.doAs(ts.kari.Token, http.MethodPut, "/api/plans/"+planID+"/members/"+u.ID, string(body))
	if rec.Code != http.StatusOK {
		ts.t.Fatalf("add member %s as %v: %d %s", u.Email, roles, rec.Code, rec.Body)
	}
}

// newTestServer starts a server on a fresh SQLite store. Every response
// to a request it handles is checked against the OpenAPI document.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newTestServerOn(t, store)
}

// newTestServerOn starts a server on store; opts change its configuration
// (a clock, say) before it starts.
func newTestServerOn(t *testing.T, store collab.Store, opts ...func(*server.Config)) *testServer {
	t.Helper()
	bus := collab.NewMemoryBus()
	t.Cleanup(func() { bus.Close() })
	engine, err := collab.NewEngine(collab.EngineConfig{Store: store, Bus: bus})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	plans := collab.NewPlans(collab.PlansConfig{
		Store: store, Bus: bus, Engine: engine, NewID: func() string { return ulid.Make().String() },
	})
	accounts := newTestAccounts(t, store)
	hub := collab.NewHub(bus, store, nil, 30*time.Second)
	t.Cleanup(hub.Close)
	reg := prometheus.NewRegistry()
	cfg := server.Config{
		Store: store, Bus: bus, Plans: plans, Engine: engine, Hub: hub, UI: testUI, Registry: reg, Accounts: accounts,
		Log:      slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Mail:     newTestMailer(t, store, nil),
		Hearings: collab.NewHearings(collab.HearingsConfig{Plans: plans, Store: store.(collab.HearingStore)}),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv := server.New(cfg)
	ts := &testServer{t: t, srv: srv, store: store, bus: bus, engine: engine, plans: plans, accounts: accounts, registry: reg}
	ts.api = ts.loadOpenAPI()
	ts.kari = ts.user("kari@m1.no", "m1", true)
	ts.token = ts.kari.Token
	return ts
}

// testWriter sends log output to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (ts *testServer) loadOpenAPI() routers.Router {
	ts.t.Helper()
	rec := ts.serve(httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		ts.t.Fatalf("GET /api/openapi.json: %d %s", rec.Code, rec.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		ts.t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		ts.t.Fatalf("openapi document invalid: %v", err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		ts.t.Fatal(err)
	}
	return r
}

func (ts *testServer) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	ts.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// do sends a request with a JSON body (none when body is "") and returns
// the response, after checking it against the OpenAPI document when the
// route is an API route.
func (ts *testServer) do(method, target, body string) *httptest.ResponseRecorder {
	ts.t.Helper()
	return ts.doAs(ts.token, method, target, body)
}

// doAs is do with the access token of another user ("" for none).
func (ts *testServer) doAs(token, method, target, body string) *httptest.ResponseRecorder {
	ts.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return ts.doReq(req, body)
}

func (ts *testServer) doReq(req *http.Request, body string) *httptest.ResponseRecorder {
	ts.t.Helper()
	rec := ts.serve(req)
	ts.checkResponse(req, body, rec)
	return rec
}

// checkResponse validates the status, headers and body of an API response
// against the OpenAPI document.
func (ts *testServer) checkResponse(req *http.Request, body string, rec *httptest.ResponseRecorder) {
	ts.t.Helper()
	if ts.api == nil || req.Method == http.MethodHead {
		return
	}
	vr := req.Clone(context.Background())
	vr.Body = io.NopCloser(strings.NewReader(body))
	route, params, err := ts.api.FindRoute(vr)
	if err != nil {
		// Only the UI, unknown paths and wrong methods are not in it.
		apiPath := strings.HasPrefix(req.URL.Path, "/api/") || req.URL.Path == "/healthz" || req.URL.Path == "/readyz"
		if apiPath && rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			ts.t.Errorf("%s %s → %d is not in the OpenAPI document: %v", req.Method, req.URL.Path, rec.Code, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: vr, PathParams: params, Route: route,
			Options: &openapi3filter.Options{ExcludeRequestBody: true},
		},
		Status: rec.Code,
		Header: rec.Header(),
		Body:   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		ts.t.Errorf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s",
			req.Method, req.URL, rec.Code, err, rec.Body)
	}
}

// decode decodes a JSON response body into v.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, rec.Body, err)
	}
	return v
}

// apiError is the error shape of the API.
type apiError struct {
	Error struct {
		Code    collab.Code `json:"code"`
		Message string      `json:"message"`
	} `json:"error"`
}

// wantError checks that rec is an error response with status and code.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code collab.Code) apiError {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d, want %d (body %s)", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	e := decode[apiError](t, rec)
	if e.Error.Code != code {
		t.Errorf("code = %q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	if e.Error.Message == "" {
		t.Error("the error has no message")
	}
	return e
}

// createPlan creates a plan through the API, as kari (the administrator of
// m1), who is made its leader.
func (ts *testServer) createPlan(title string) collab.Plan {
	ts.t.Helper()
	body, _ := json.Marshal(map[string]string{"title": title, "leader": ts.kari.ID})
	rec := ts.doAs(ts.kari.Token, http.MethodPost, "/api/plans", string(body))
	if rec.Code != http.StatusCreated {
		ts.t.Fatalf("create plan: %d %s", rec.Code, rec.Body)
	}
	return decode[collab.Plan](ts.t, rec)
}

// getPlan reads a plan through the API.
func (ts *testServer) getPlan(id string) collab.Plan {
	ts.t.Helper()
	rec := ts.do(http.MethodGet, "/api/plans/"+id, "")
	if rec.Code != http.StatusOK {
		ts.t.Fatalf("get plan: %d %s", rec.Code, rec.Body)
	}
	return decode[collab.Plan](ts.t, rec)
}

// findSection returns the section titled title (the first in outline order).
func findSection(t *testing.T, p collab.Plan, title string) *collab.Section {
	t.Helper()
	var found *collab.Section
	p.Walk(func(s *collab.Section, _ int) {
		if found == nil && s.Title == title {
			found = s
		}
	})
	if found == nil {
		t.Fatalf("plan has no section %q", title)
	}
	return found
}
