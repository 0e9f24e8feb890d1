package server

import "github.com/temaplan/temaplan/auth"

// APIRoute is an entry of apiRoutes as the external tests see it.
type APIRoute struct {
	Method, Path string
	Public       bool
	Action       auth.Action
	ByBody       bool
}

// APIRoutes returns the table of REST routes with their access rules, for
// the tests that call every route with every role.
func APIRoutes() []APIRoute {
	out := make([]APIRoute, len(apiRoutes))
	for i, r := range apiRoutes {
		out[i] = APIRoute{Method: r.method, Path: r.path, Public: r.public, Action: r.action, ByBody: r.byBody}
	}
	return out
}
