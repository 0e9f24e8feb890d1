//go:build !noui

// Package frontend embeds the built browser app (frontend/dist, made by
// `npm run build`) so that one binary is the whole product. dist/.gitkeep
// is committed, so the Go code vets and builds before the UI is (Dist then
// says to build it); `-tags noui` leaves the UI out altogether.
package frontend

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app, rooted at its index.html.
func Dist() (fs.FS, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, fmt.Errorf("frontend: %w", err)
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, fmt.Errorf("frontend: the built UI has no index.html (run `npm --prefix frontend run build`): %w", err)
	}
	return sub, nil
}
