package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secret := strings.Repeat("s", 32)
	secretFile := file("secret", secret+"\n")
	shortSecretFile := file("short", "tooshort\n")
	mongoFile := file("mongo", "mongodb://db.internal:27017/?replicaSet=rs0\n")
	redisFile := file("redis", "redis://:pw@cache:6379/0\n")

	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr []string // parts of the error, all of them
		check   func(t *testing.T, c Config)
	}{
		{
			name: "defaults run embedded",
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.MongoURI != "" || c.MongoDB != "temaplan" ||
					c.RedisURL != "" || c.JWTSecret != nil || c.AdminAddr != "" || len(c.Origins) != 0 || c.LogLevel != slog.LevelInfo ||
					len(c.TrustedProxies) != 0 || c.InsecureCookies || c.Demo || c.DemoPassword != "demo" {
					t.Errorf("defaults = %+v", c)
				}
			},
		},
		{
			name: "environment",
			env: map[string]string{
				"TEMAPLAN_ADDR": "0.0.0.0:9000", "TEMAPLAN_DATA": "/var/lib/temaplan",
				"MONGODB_URI": "mongodb://mongo:27017/?replicaSet=rs0", "MONGODB_DB": "plans",
				"REDIS_URL": "redis://redis:6379/0", "TEMAPLAN_JWT_SECRET": secret,
				"TEMAPLAN_ADMIN_ADDR": "127.0.0.1:9090", "TEMAPLAN_ORIGINS": "https://Plan.Example.no/, http://localhost:5173",
				"TEMAPLAN_LOG_LEVEL": "DEBUG", "TEMAPLAN_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,2001:db8::/32",
				"TEMAPLAN_INSECURE_COOKIES": "true", "TEMAPLAN_DEMO": "1", "TEMAPLAN_DEMO_PASSWORD": "prøv meg",
			},
			check: func(t *testing.T, c Config) {
				if c.Addr != "0.0.0.0:9000" || c.DataDir != "/var/lib/temaplan" || c.MongoURI != "mongodb://mongo:27017/?replicaSet=rs0" ||
					c.MongoDB != "plans" || c.RedisURL != "redis://redis:6379/0" || string(c.JWTSecret) != secret ||
					c.JWTSecretSource != "TEMAPLAN_JWT_SECRET" || c.AdminAddr != "127.0.0.1:9090" || c.LogLevel != slog.LevelDebug ||
					!c.InsecureCookies || !c.Demo || c.DemoPassword != "prøv meg" {
					t.Errorf("config = %+v", c)
				}
				if want := []string{"https://plan.example.no", "http://localhost:5173"}; !slices.Equal(c.Origins, want) {
					t.Errorf("origins = %q, want %q", c.Origins, want)
				}
				want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32")}
				if !slices.Equal(c.TrustedProxies, want) {
					t.Errorf("trusted proxies = %v, want %v", c.TrustedProxies, want)
				}
			},
		},
		{
			name: "flags win over the environment",
			env:  map[string]string{"TEMAPLAN_ADDR": "0.0.0.0:9000", "TEMAPLAN_DATA": "/env", "MONGODB_URI_FILE": "/nonexistent"},
			args: []string{"-addr", "127.0.0.1:0", "-data", "/flag", "-mongodb-uri", ""},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:0" || c.DataDir != "/flag" || c.MongoURI != "" {
					t.Errorf("config = %+v", c)
				}
			},
		},
		{
			name: "values from files",
			env: map[string]string{
				"MONGODB_URI_FILE": mongoFile, "REDIS_URL_FILE": redisFile, "TEMAPLAN_JWT_SECRET_FILE": secretFile,
			},
			check: func(t *testing.T, c Config) {
				if c.MongoURI != "mongodb://db.internal:27017/?replicaSet=rs0" || c.RedisURL != "redis://:pw@cache:6379/0" ||
					string(c.JWTSecret) != secret || c.JWTSecretSource != "TEMAPLAN_JWT_SECRET_FILE" {
					t.Errorf("config = %+v", c)
				}
			},
		},
		{
			name: "secret file by flag",
			env:  map[string]string{"MONGODB_URI": "mongodb://mongo:27017"},
			args: []string{"-jwt-secret-file", secretFile},
			check: func(t *testing.T, c Config) {
				if string(c.JWTSecret) != secret {
					t.Errorf("secret = %q", c.JWTSecret)
				}
			},
		},
		{
			name:    "MongoDB without a secret refuses to start",
			env:     map[string]string{"MONGODB_URI": "mongodb://mongo:27017/?replicaSet=rs0"},
			wantErr: []string{"TEMAPLAN_JWT_SECRET or TEMAPLAN_JWT_SECRET_FILE is required when MONGODB_URI is set", "share one JWT secret"},
		},
		{
			name:    "short secret",
			env:     map[string]string{"TEMAPLAN_JWT_SECRET": "hunter2"},
			wantErr: []string{"TEMAPLAN_JWT_SECRET: ", "at least 32 bytes"},
		},
		{
			name:    "short secret file",
			env:     map[string]string{"TEMAPLAN_JWT_SECRET_FILE": shortSecretFile},
			wantErr: []string{"TEMAPLAN_JWT_SECRET", "at least 32 bytes"},
		},
		{
			name:    "secret and secret file",
			env:     map[string]string{"TEMAPLAN_JWT_SECRET": secret, "TEMAPLAN_JWT_SECRET_FILE": secretFile},
			wantErr: []string{"give either TEMAPLAN_JWT_SECRET or TEMAPLAN_JWT_SECRET_FILE, not both"},
		},
		{
			name:    "URI and URI file",
			env:     map[string]string{"MONGODB_URI": "mongodb://a", "MONGODB_URI_FILE": mongoFile, "TEMAPLAN_JWT_SECRET": secret},
			wantErr: []string{"MONGODB_URI (-mongodb-uri): give either MONGODB_URI or MONGODB_URI_FILE, not both"},
		},
		{
			name:    "missing file",
			env:     map[string]string{"REDIS_URL_FILE": filepath.Join(dir, "missing")},
			wantErr: []string{"REDIS_URL (-redis-url)", "no such file"},
		},
		{
			name:    "address without port",
			env:     map[string]string{"TEMAPLAN_ADDR": "localhost"},
			wantErr: []string{`TEMAPLAN_ADDR (-addr): "localhost" is not host:port`},
		},
		{
			name:    "port out of range",
			args:    []string{"-addr", "127.0.0.1:99999"},
			wantErr: []string{"TEMAPLAN_ADDR (-addr)", "invalid port"},
		},
		{
			name:    "MongoDB URI of another scheme",
			env:     map[string]string{"MONGODB_URI": "postgres://db:5432", "TEMAPLAN_JWT_SECRET": secret},
			wantErr: []string{"MONGODB_URI (-mongodb-uri): must start with mongodb:// or mongodb+srv://"},
		},
		{
			name:    "MongoDB database name",
			env:     map[string]string{"MONGODB_DB": "tema.plan"},
			wantErr: []string{"MONGODB_DB (-mongodb-db)", "does not allow"},
		},
		{
			name:    "Redis URL of another scheme",
			env:     map[string]string{"REDIS_URL": "http://cache:6379"},
			wantErr: []string{"REDIS_URL (-redis-url): must start with redis://, rediss:// or unix://"},
		},
		{
			name:    "wildcard origin",
			env:     map[string]string{"TEMAPLAN_ORIGINS": "*"},
			wantErr: []string{"TEMAPLAN_ORIGINS (-origins)", `"*" is not allowed`},
		},
		{
			name:    "origin with a path",
			env:     map[string]string{"TEMAPLAN_ORIGINS": "https://plan.example.no/app"},
			wantErr: []string{"TEMAPLAN_ORIGINS (-origins)", "is not an origin"},
		},
		{
			name: "public url defaults to the listen address",
			env:  map[string]string{"TEMAPLAN_ADDR": "127.0.0.1:9000"},
			check: func(t *testing.T, c Config) {
				if c.PublicURL != "http://127.0.0.1:9000" {
					t.Errorf("public url = %q", c.PublicURL)
				}
			},
		},
		{
			name: "public url loses its trailing slash",
			env:  map[string]string{"TEMAPLAN_PUBLIC_URL": "https://plan.bodo.kommune.no/temaplan/"},
			check: func(t *testing.T, c Config) {
				if c.PublicURL != "https://plan.bodo.kommune.no/temaplan" {
					t.Errorf("public url = %q", c.PublicURL)
				}
			},
		},
		{
			name:    "public url with a query",
			env:     map[string]string{"TEMAPLAN_PUBLIC_URL": "https://plan.example.no/?x=1"},
			wantErr: []string{"TEMAPLAN_PUBLIC_URL (-public-url)", "is not an address"},
		},
		{
			name:    "public url without a scheme",
			env:     map[string]string{"TEMAPLAN_PUBLIC_URL": "plan.example.no"},
			wantErr: []string{"TEMAPLAN_PUBLIC_URL (-public-url)", "is not an address"},
		},
		{
			name:    "log level",
			env:     map[string]string{"TEMAPLAN_LOG_LEVEL": "verbose"},
			wantErr: []string{`TEMAPLAN_LOG_LEVEL (-log-level): "verbose" is not one of debug, info, warn, error`},
		},
		{
			name:    "metrics on the public listener",
			env:     map[string]string{"TEMAPLAN_ADDR": "0.0.0.0:8080", "TEMAPLAN_ADMIN_ADDR": "0.0.0.0:8080"},
			wantErr: []string{"TEMAPLAN_ADMIN_ADDR (-admin-addr): must differ"},
		},
		{
			name:    "bad metrics address",
			env:     map[string]string{"TEMAPLAN_ADMIN_ADDR": "9090"},
			wantErr: []string{"TEMAPLAN_ADMIN_ADDR (-admin-addr)", "not host:port"},
		},
		{
			name: "the admin listener by flag",
			env:  map[string]string{"TEMAPLAN_ADMIN_ADDR": "127.0.0.1:9090"},
			args: []string{"-admin-addr", "127.0.0.1:9191"},
			check: func(t *testing.T, c Config) {
				if c.AdminAddr != "127.0.0.1:9191" {
					t.Errorf("admin addr = %q, want the flag's", c.AdminAddr)
				}
			},
		},
		{
			name:    "the admin listener's old name is refused, not ignored",
			env:     map[string]string{"TEMAPLAN_METRICS_ADDR": "127.0.0.1:9090"},
			wantErr: []string{"TEMAPLAN_METRICS_ADDR was renamed TEMAPLAN_ADMIN_ADDR"},
		},
		{
			name:    "the admin listener's old flag is gone",
			args:    []string{"-metrics-addr", "127.0.0.1:9090"},
			wantErr: []string{"flag provided but not defined: -metrics-addr"},
		},
		{
			name:    "trusted proxy that is no address",
			env:     map[string]string{"TEMAPLAN_TRUSTED_PROXIES": "10.0.0.1, proxy.internal"},
			wantErr: []string{"TEMAPLAN_TRUSTED_PROXIES (-trusted-proxies)", "proxy.internal"},
		},
		{
			name:    "trusted proxy range out of bounds",
			args:    []string{"-trusted-proxies", "10.0.0.0/33"},
			wantErr: []string{"TEMAPLAN_TRUSTED_PROXIES (-trusted-proxies)", "10.0.0.0/33"},
		},
		{
			name:    "trusted proxy as an IPv4-mapped range",
			env:     map[string]string{"TEMAPLAN_TRUSTED_PROXIES": "::ffff:10.0.0.0/104"},
			wantErr: []string{"TEMAPLAN_TRUSTED_PROXIES (-trusted-proxies)", "IPv4 prefix"},
		},
		{
			name: "trusted proxies empty entries",
			env:  map[string]string{"TEMAPLAN_TRUSTED_PROXIES": " , ::ffff:192.0.2.7 ,"},
			check: func(t *testing.T, c Config) {
				if want := []netip.Prefix{netip.MustParsePrefix("192.0.2.7/32")}; !slices.Equal(c.TrustedProxies, want) {
					t.Errorf("trusted proxies = %v, want %v", c.TrustedProxies, want)
				}
			},
		},
		{
			name:    "a boolean that is neither true nor false",
			env:     map[string]string{"TEMAPLAN_INSECURE_COOKIES": "yes", "TEMAPLAN_DEMO": "on"},
			wantErr: []string{`TEMAPLAN_INSECURE_COOKIES (-insecure-cookies): "yes" is not true or false`, `TEMAPLAN_DEMO (-demo): "on" is not true or false`},
		},
		{
			name:    "a boolean flag that is neither true nor false",
			args:    []string{"-insecure-cookies=maybe"},
			wantErr: []string{`invalid boolean value "maybe" for -insecure-cookies`},
		},
		{
			name:    "the demo password must not be empty with -demo",
			args:    []string{"-demo", "-demo-password", ""},
			env:     map[string]string{"TEMAPLAN_DEMO_PASSWORD": "from the environment"},
			wantErr: []string{"TEMAPLAN_DEMO_PASSWORD (-demo-password): must not be empty with -demo"},
		},
		{
			name: "an empty demo password without -demo is no matter",
			env:  map[string]string{"TEMAPLAN_DEMO_PASSWORD": ""},
			args: []string{"-demo-password", ""},
			check: func(t *testing.T, c Config) {
				if c.Demo {
					t.Error("demo on")
				}
			},
		},
		{
			name:    "the demo clock is only for a demo server",
			args:    []string{"-demo-clock"},
			wantErr: []string{"TEMAPLAN_DEMO_CLOCK (-demo-clock): is only for a demo server (with -demo)"},
		},
		{
			name: "the demo clock with -demo",
			args: []string{"-demo", "-demo-clock"},
			check: func(t *testing.T, c Config) {
				if !c.Demo || !c.DemoClock {
					t.Errorf("demo %t, demo clock %t", c.Demo, c.DemoClock)
				}
			},
		},
		{
			name:    "empty data directory",
			args:    []string{"-data", " "},
			wantErr: []string{"TEMAPLAN_DATA (-data): must not be empty"},
		},
		{
			name:    "every problem at once",
			env:     map[string]string{"TEMAPLAN_ADDR": "nope", "TEMAPLAN_LOG_LEVEL": "loud", "REDIS_URL": "ftp://x"},
			wantErr: []string{"invalid configuration", "TEMAPLAN_ADDR", "TEMAPLAN_LOG_LEVEL", "REDIS_URL"},
		},
		{
			name:    "stray arguments",
			args:    []string{"-addr", "127.0.0.1:1", "extra"},
			wantErr: []string{`unexpected arguments ["extra"]`},
		},
		{
			name:    "unknown flag",
			args:    []string{"-mongo", "x"},
			wantErr: []string{"flag provided but not defined: -mongo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			c, err := LoadConfig(tt.args, getenv, io.Discard)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, config %+v", c)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q\ndoes not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// TestLoadConfig_Booleans checks how the boolean settings read: as a
// switch (-demo alone is true), as -flag=value, and from the environment
// in strconv.ParseBool's spellings; a flag wins over the environment.
func TestLoadConfig_Booleans(t *testing.T) {
	tests := []struct {
		args           []string
		env            map[string]string
		demo, insecure bool
	}{
		{nil, nil, false, false},
		{[]string{"-demo"}, nil, true, false},
		{[]string{"-demo", "-insecure-cookies"}, nil, true, true},
		{[]string{"-demo=false"}, map[string]string{"TEMAPLAN_DEMO": "true"}, false, false},
		{[]string{"-demo=0", "-insecure-cookies=1"}, nil, false, true},
		{nil, map[string]string{"TEMAPLAN_DEMO": "true", "TEMAPLAN_INSECURE_COOKIES": "FALSE"}, true, false},
		{nil, map[string]string{"TEMAPLAN_DEMO": "T", "TEMAPLAN_INSECURE_COOKIES": "1"}, true, true},
		{nil, map[string]string{"TEMAPLAN_DEMO": "0", "TEMAPLAN_INSECURE_COOKIES": "True"}, false, true},
		{[]string{"-demo"}, map[string]string{"TEMAPLAN_DEMO": "false"}, true, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%q %v", tt.args, tt.env)
		c, err := LoadConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if c.Demo != tt.demo || c.InsecureCookies != tt.insecure {
			t.Errorf("%s: demo %v, insecure cookies %v; want %v, %v", name, c.Demo, c.InsecureCookies, tt.demo, tt.insecure)
		}
	}
}

// TestLoadConfig_DemoIsASwitchBeforeOtherFlags checks that -demo takes no
// value: the flag after it is parsed as a flag.
func TestLoadConfig_DemoIsASwitchBeforeOtherFlags(t *testing.T) {
	c, err := LoadConfig([]string{"-demo", "-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || c.Addr != "127.0.0.1:0" {
		t.Errorf("demo %v, addr %q", c.Demo, c.Addr)
	}
}

// TestLoadConfig_UsageNamesEveryVariable checks -h lists every flag with
// its environment variable (a secret kept off the command line, by its
// file's).
func TestLoadConfig_UsageNamesEveryVariable(t *testing.T) {
	var usage strings.Builder
	if _, err := LoadConfig([]string{"-h"}, func(string) string { return "" }, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
	for _, s := range settings() {
		listed := regexp.MustCompile(`(?m)^  -` + regexp.QuoteMeta(s.name) + `( |$)`)
		if !s.noFlag && (!strings.Contains(usage.String(), "["+s.env+"]") || !listed.MatchString(usage.String())) {
			t.Errorf("-h does not list -%s [%s]", s.name, s.env)
		}
		if s.fileEnv != "" && !strings.Contains(usage.String(), "["+s.fileEnv+"]") {
			t.Errorf("-h does not name %s", s.fileEnv)
		}
	}
	// A switch is off unless given, as flag.Bool's are: no "(default
	// false)".
	if strings.Contains(usage.String(), "(default false)") {
		t.Errorf("-h says (default false):\n%s", usage.String())
	}
}

func TestEnvNames_CoverEverySetting(t *testing.T) {
	names := EnvNames()
	for _, want := range []string{
		"TEMAPLAN_ADDR", "TEMAPLAN_DATA", "MONGODB_URI", "MONGODB_URI_FILE", "MONGODB_DB",
		"REDIS_URL", "REDIS_URL_FILE", "TEMAPLAN_JWT_SECRET", "TEMAPLAN_JWT_SECRET_FILE",
		"TEMAPLAN_ADMIN_ADDR", "TEMAPLAN_ORIGINS", "TEMAPLAN_LOG_LEVEL", "TEMAPLAN_TRUSTED_PROXIES",
		"TEMAPLAN_INSECURE_COOKIES", "TEMAPLAN_DEMO", "TEMAPLAN_DEMO_PASSWORD",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("EnvNames lacks %s", want)
		}
	}
	for old := range renamedEnv() {
		if slices.Contains(names, old) {
			t.Errorf("EnvNames lists %s, which was renamed", old)
		}
	}
}

// TestREADME_DocumentsEverySetting checks the README's configuration table
// names every environment variable and flag.
func TestREADME_DocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range settings() {
		if !strings.Contains(readme, "`"+s.env+"`") {
			t.Errorf("README.md does not document %s", s.env)
		}
		if s.fileEnv != "" && !strings.Contains(readme, "`"+s.fileEnv+"`") {
			t.Errorf("README.md does not document %s", s.fileEnv)
		}
		if !s.noFlag && !strings.Contains(readme, "`-"+s.name+"`") {
			t.Errorf("README.md does not document -%s", s.name)
		}
	}
}
