package main

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of docker-compose.yml the test reads.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

type composeService struct {
	Image   string `yaml:"image"`
	Command any    `yaml:"command"`
	Build   *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Environment yaml.Node `yaml:"environment"`
	Secrets     []string  `yaml:"secrets"`
	Ports       []string  `yaml:"ports"`
	Volumes     []string  `yaml:"volumes"`
	Networks    yaml.Node `yaml:"networks"`
}

// addresses returns the fixed IPv4 addresses a service asks for on its
// networks (written as a map; a list names networks only).
func (s composeService) addresses(t *testing.T) []netip.Addr {
	t.Helper()
	if s.Networks.Kind != yaml.MappingNode {
		return nil
	}
	var nets map[string]*struct {
		IPv4 string `yaml:"ipv4_address"`
	}
	if err := s.Networks.Decode(&nets); err != nil {
		t.Fatal(err)
	}
	var out []netip.Addr
	for name, n := range nets {
		if n == nil || n.IPv4 == "" {
			continue
		}
		a, err := netip.ParseAddr(n.IPv4)
		if err != nil {
			t.Fatalf("network %s: %v", name, err)
		}
		out = append(out, a)
	}
	return out
}

// env returns a service's environment, written as a map or as a list of
// KEY=value.
func (s composeService) env(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch s.Environment.Kind {
	case 0:
	case yaml.MappingNode, yaml.AliasNode:
		if err := s.Environment.Decode(&out); err != nil {
			t.Fatal(err)
		}
	case yaml.SequenceNode:
		var list []string
		if err := s.Environment.Decode(&list); err != nil {
			t.Fatal(err)
		}
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = v
		}
	default:
		t.Fatalf("environment of kind %v", s.Environment.Kind)
	}
	return out
}

// TestDockerCompose_NodesAreConfiguredForMultiNode checks that
// docker-compose.yml has MongoDB, Redis, two Temaplan nodes and a proxy;
// that every variable set on a node is one the binary reads (EnvNames, so
// a renamed variable fails here); that the variables several nodes need
// are set; that the nodes trust the proxy's fixed address, and only that;
// and that each node's environment passes the binary's own configuration
// check.
func TestDockerCompose_NodesAreConfiguredForMultiNode(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(b, &cf); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"mongo", "redis", "proxy"} {
		if _, ok := cf.Services[name]; !ok {
			t.Errorf("no service %q", name)
		}
	}
	if mongo := cf.Services["mongo"]; !strings.Contains(strings.Join(toStrings(mongo.Command), " "), "--replSet rs0") {
		t.Errorf("mongo does not run as replica set rs0: command %v", mongo.Command)
	}

	proxyAddrs := cf.Services["proxy"].addresses(t)
	if len(proxyAddrs) != 1 {
		t.Errorf("the proxy has fixed addresses %v, want one for the nodes to trust", proxyAddrs)
	}

	known := EnvNames()
	caddy, err := os.ReadFile("../../deploy/Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for name, svc := range cf.Services {
		if svc.Build == nil || svc.Build.Dockerfile != "deploy/Dockerfile" {
			continue
		}
		nodes = append(nodes, name)
		env := svc.env(t)
		for k := range env {
			if !slices.Contains(known, k) {
				t.Errorf("%s sets %s, which temaplan does not read", name, k)
			}
		}
		for _, k := range []string{"MONGODB_URI", "REDIS_URL", "TEMAPLAN_ADDR"} {
			if env[k] == "" {
				t.Errorf("%s does not set %s", name, k)
			}
		}
		if env["TEMAPLAN_JWT_SECRET"] == "" && env["TEMAPLAN_JWT_SECRET_FILE"] == "" {
			t.Errorf("%s sets neither TEMAPLAN_JWT_SECRET nor TEMAPLAN_JWT_SECRET_FILE", name)
		}
		if strings.HasPrefix(env["TEMAPLAN_ADDR"], "127.") || strings.HasPrefix(env["TEMAPLAN_ADDR"], "localhost") {
			t.Errorf("%s listens on %s, which the proxy cannot reach", name, env["TEMAPLAN_ADDR"])
		}
		if f := env["TEMAPLAN_JWT_SECRET_FILE"]; f != "" {
			secret := strings.TrimPrefix(f, "/run/secrets/")
			if !slices.Contains(svc.Secrets, secret) || cf.Secrets[secret].File == "" {
				t.Errorf("%s reads its secret from %s, but has no compose secret %q", name, f, secret)
			}
		}
		if !strings.Contains(string(caddy), name+":8080") {
			t.Errorf("deploy/Caddyfile does not proxy to %s:8080", name)
		}

		// The environment is a valid configuration (with a real file for
		// the secret).
		secretFile := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(secretFile, []byte(strings.Repeat("x", 64)), 0o600); err != nil {
			t.Fatal(err)
		}
		getenv := func(k string) string {
			if k == "TEMAPLAN_JWT_SECRET_FILE" && env[k] != "" {
				return secretFile
			}
			return env[k]
		}
		cfg, err := LoadConfig(nil, getenv, io.Discard)
		if err != nil {
			t.Errorf("%s's environment is not a valid configuration: %v", name, err)
			continue
		}
		for _, a := range proxyAddrs {
			if !slices.ContainsFunc(cfg.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(a) }) {
				t.Errorf("%s does not trust the proxy at %s (TEMAPLAN_TRUSTED_PROXIES=%q)", name, a, env["TEMAPLAN_TRUSTED_PROXIES"])
			}
		}
		for _, p := range cfg.TrustedProxies {
			if p.Bits() != p.Addr().BitLen() {
				t.Errorf("%s trusts the range %s: any container there could forge X-Forwarded-For; trust the proxy's address", name, p)
			}
		}
		if cfg.Demo || cfg.InsecureCookies {
			t.Errorf("%s runs with the demo or insecure cookies", name)
		}
	}
	if len(nodes) < 2 {
		t.Errorf("%d temaplan nodes (services built from deploy/Dockerfile), want at least 2", len(nodes))
	}
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
