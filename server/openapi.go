package server

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/temaplan/temaplan/collab"
)

// openAPIYAML is the OpenAPI 3 description of every route. It is written
// as YAML for people and served as JSON; a test loads and validates it and
// checks that it names exactly the routes the server has.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// openAPIJSON converts the embedded document to JSON.
func openAPIJSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openAPIYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml to JSON: %w", err)
	}
	return b, nil
}

// openAPI serves the OpenAPI document.
func (s *Server) openAPI(c echo.Context) error {
	if s.openapi == nil {
		return collab.Errorf(collab.CodeInternal, "the OpenAPI document is not available")
	}
	return c.JSONBlob(http.StatusOK, s.openapi)
}
