//go:build noui

package frontend

import (
	"io/fs"
	"testing/fstest"
)

// placeholder is the page served by a binary built without the UI.
const placeholder = `<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>Temaplan</title></head>
<body>
<h1>Temaplan</h1>
<p>Denne versjonen er bygget uten brukergrensesnitt (<code>-tags noui</code>).
The API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body>
</html>
`

// Dist returns a tiny placeholder app: this binary was built with the noui
// tag and carries no UI.
func Dist() (fs.FS, error) {
	return fstest.MapFS{"index.html": {Data: []byte(placeholder), Mode: 0o444}}, nil
}
