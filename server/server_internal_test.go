package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
)

func TestHTTPStatus_EveryCodeHasAStatus(t *testing.T) {
	seen := map[collab.Code]bool{}
	for _, code := range collab.Codes() {
		if seen[code] {
			t.Errorf("code %q listed twice", code)
		}
		seen[code] = true
		status, ok := httpStatus(code)
		if !ok {
			t.Errorf("code %q has no HTTP status", code)
			continue
		}
		if status < 400 || status > 599 {
			t.Errorf("code %q maps to %d, not an error status", code, status)
		}
	}
	if _, ok := httpStatus("no_such_code"); ok {
		t.Error("an unknown code has a status")
	}
}

func TestCodeForStatus_EchoErrorsGetRegistryCodes(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 405, 408, 413, 415, 429, 500, 502, 503} {
		code := codeForStatus(status)
		if !slices.Contains(collab.Codes(), code) {
			t.Errorf("status %d maps to %q, not a code of the registry", status, code)
		}
	}
}

// TestOpenAPI_MatchesRoutes checks that the OpenAPI document describes
// every route the server has, and has no route the server lacks.
func TestOpenAPI_MatchesRoutes(t *testing.T) {
	// An engine makes routesCollab register its routes (and follow the
	// bus); neither is used.
	engine, err := collab.NewEngine(collab.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	bus := collab.NewMemoryBus()
	defer bus.Close()
	// With the demo clock, so that its test-only route is compared too.
	s := New(Config{Engine: engine, Bus: bus, DemoClock: NewDemoClock(nil)})
	doc, err := openapi3.NewLoader().LoadFromData(s.openapi)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}

	param := regexp.MustCompile(`:([^/]+)`)
	routes := map[string]bool{}
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "*") {
			continue // the catch-all of the UI and of unknown API paths
		}
		routes[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for r := range routes {
		if !documented[r] {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("openapi.yaml documents %s, which the server does not have", d)
		}
	}
	// Sanity: the comparison saw the API.
	for _, r := range []string{"GET /healthz", "GET /readyz", "POST /api/auth/login", "GET /api/me", "GET /api/plans",
		"DELETE /api/plans/{id}/sections/{sid}", "POST /api/plans/{id}/transitions", "PATCH /api/admin/users/{uid}", "GET /api/ws"} {
		if !routes[r] {
			t.Errorf("route %s missing from the server", r)
		}
	}
}

// TestOpenAPI_SecurityFollowsRoutes checks that the document says which
// routes need a login and which refusals they can answer, as apiRoutes
// decides them: public routes need no token; every other route needs the
// bearer token and documents 401, 403 when an action is checked, and 404
// when it names a plan.
func TestOpenAPI_SecurityFollowsRoutes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(mustOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Components.SecuritySchemes["bearerAuth"]; !ok {
		t.Fatal("no bearerAuth security scheme")
	}
	param := regexp.MustCompile(`:([^/]+)`)
	for _, r := range apiRoutes {
		path := "/api" + param.ReplaceAllString(r.path, "{$1}")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(r.method) == nil {
			t.Errorf("%s %s is not in openapi.yaml", r.method, path)
			continue
		}
		op := item.GetOperation(r.method)
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		needsBearer := slices.ContainsFunc(security, func(req openapi3.SecurityRequirement) bool {
			_, ok := req["bearerAuth"]
			return ok
		})
		if r.public {
			if needsBearer {
				t.Errorf("%s %s is public but documented with bearerAuth", r.method, path)
			}
			continue
		}
		if !needsBearer || len(security) != 1 {
			t.Errorf("%s %s needs a login but is documented with security %v", r.method, path, security)
		}
		want := []string{"401"}
		if r.action != "" || r.byBody {
			want = append(want, "403")
		}
		if hasPlanParam(r.path) {
			want = append(want, "404")
		}
		for _, status := range want {
			if op.Responses.Value(status) == nil {
				t.Errorf("%s %s does not document %s", r.method, path, status)
			}
		}
		if op.Responses.Default() == nil {
			t.Errorf("%s %s has no default (error) response", r.method, path)
		}
	}
}

func TestOpenAPI_ErrorCodesMatchRegistry(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(mustOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	var enum []string
	for _, v := range doc.Components.Schemas["ErrorCode"].Value.Enum {
		enum = append(enum, v.(string))
	}
	var codes []string
	for _, c := range collab.Codes() {
		codes = append(codes, string(c))
	}
	if !slices.Equal(enum, codes) {
		t.Errorf("ErrorCode enum = %v\nwant collab.Codes() = %v", enum, codes)
	}
}

func mustOpenAPI(t *testing.T) []byte {
	t.Helper()
	b, err := openAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRecover_PanicBecomesInternalError(t *testing.T) {
	var logged strings.Builder
	s := New(Config{Log: slog.New(slog.NewTextHandler(&logged, nil))})
	s.echo.GET("/api/boom", func(c echo.Context) error { panic("boom") })

	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != collab.CodeInternal || strings.Contains(body.Error.Message, "boom") {
		t.Errorf("body = %+v: want internal without the panic's text", body)
	}
	if !strings.Contains(logged.String(), "boom") || !strings.Contains(logged.String(), "stack") {
		t.Errorf("the panic was not logged with its stack: %s", logged.String())
	}
	// The node still serves.
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz after a panic: %d", rec.Code)
	}
}

func TestHandleError_InternalCauseIsLoggedNotShown(t *testing.T) {
	var logged strings.Builder
	s := New(Config{Log: slog.New(slog.NewTextHandler(&logged, nil))})
	s.echo.GET("/api/fail", func(c echo.Context) error {
		return collab.Wrap(collab.CodeInternal, context.DeadlineExceeded, "db password is hunter2")
	})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/fail", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("%d %s: want 500 without the internal message", rec.Code, rec.Body)
	}
	if !strings.Contains(logged.String(), "hunter2") {
		t.Error("the internal cause was not logged")
	}
}
