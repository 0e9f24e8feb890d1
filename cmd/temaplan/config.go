package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/mail"
)

// Config is the whole configuration of a node, from flags and environment
// variables. The zero value is not valid; LoadConfig fills and checks it.
type Config struct {
	// Addr is the address of the public listener (host:port).
	Addr string
	// DataDir holds the embedded store and the generated JWT secret. It is
	// not used when MongoURI is set.
	DataDir string
	// MongoURI selects the MongoDB store; empty means the embedded SQLite
	// store under DataDir.
	MongoURI string
	// MongoDB is the MongoDB database name.
	MongoDB string
	// RedisURL selects the Redis bus; empty means the in-process bus.
	RedisURL string
	// JWTSecret signs access tokens. Nil means: load or create the secret
	// under DataDir (embedded mode only).
	JWTSecret []byte
	// JWTSecretSource says where JWTSecret came from, for the log.
	JWTSecretSource string
	// PublicURL is the address people reach the service at
	// (scheme://host[:port][/path], no trailing slash): the base of the
	// links in e-mails and of the single sign-on redirect. Empty means
	// http:// and Addr, for a node on one machine.
	PublicURL string
	// OIDCIssuer, OIDCClientID and OIDCClientSecret configure single
	// sign-on through an OpenID Connect provider (all three, or none);
	// OIDCName is the provider's name on the login page's button.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCName         string
	// SMTP is the relay e-mail is delivered through; nil keeps messages
	// in the outbox. MailFrom is the sender of every message.
	SMTP     *mail.SMTP
	MailFrom string
	// AccessibilityContact is where the accessibility statement sends
	// feedback: an e-mail address or an https:// address; empty leaves
	// the statement's generic wording ("contact your municipality").
	AccessibilityContact string
	// Chromium is the path of the headless browser that prints PDF
	// exports; a node without it makes every other export.
	Chromium string
	// AdminAddr is the address of the private listener of /metrics and
	// /debug/pprof; empty means none.
	AdminAddr string
	// Origins are the origins besides the server's own that may open a
	// WebSocket (scheme://host[:port]).
	Origins []string
	// LogLevel is the least level logged.
	LogLevel slog.Level
	// LogJSON writes the log as JSON lines rather than key=value text.
	LogJSON bool
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client address.
	TrustedProxies []netip.Prefix
	// InsecureCookies leaves Secure off the session cookie (plain-HTTP
	// development on another host than localhost).
	InsecureCookies bool
	// Demo seeds the demo municipality, users and plan if absent, with
	// DemoPassword as every demo user's password.
	Demo         bool
	DemoPassword string
	// DemoClock (only with Demo) lets the administrator move the server's
	// clock forward (POST /api/demo/clock), for browser tests only.
	DemoClock bool
}

// setting is one configuration setting: its flag, its environment
// variable, and for connection strings and secrets a second variable that
// names a file holding the value (Docker and Kubernetes secrets).
type setting struct {
	name    string // the flag's name
	env     string
	fileEnv string
	def     string
	usage   string
	// noFlag keeps the value itself off the command line, where every
	// user of the machine can read it; its file flag remains.
	noFlag bool
	// boolean settings are switches: "-demo" alone means true.
	boolean bool
}

// The names of the settings.
const (
	setAddr      = "addr"
	setData      = "data"
	setMongoURI  = "mongodb-uri"
	setMongoDB   = "mongodb-db"
	setRedisURL  = "redis-url"
	setJWTSecret = "jwt-secret"
	setAdminAddr = "admin-addr"
	setSMTPURL   = "smtp-url"
	setMailFrom  = "mail-from"
	setPublicURL = "public-url"
	setOIDCIss   = "oidc-issuer"
	setOIDCID    = "oidc-client-id"
	setOIDCSec   = "oidc-client-secret"
	setOIDCName  = "oidc-name"
	setOrigins   = "origins"
	setLogLevel  = "log-level"
	setLogFormat = "log-format"
	setProxies   = "trusted-proxies"
	setInsecure  = "insecure-cookies"
	setDemo      = "demo"
	setDemoPass  = "demo-password"
	setDemoClock = "demo-clock"
	setA11y      = "accessibility-contact"
	setChromium  = "chromium"
)

// settings is the one table of configuration settings: flags, environment
// variables and defaults. The README's table and the docker-compose test
// are checked against it.
func settings() []setting {
	return []setting{
		{name: setAddr, env: "TEMAPLAN_ADDR", def: "127.0.0.1:8080",
			usage: "address of the HTTP listener, host:port (0.0.0.0:8080 for every interface)"},
		{name: setData, env: "TEMAPLAN_DATA", def: "./data",
			usage: "data directory of the embedded store and the generated JWT secret (created 0700)"},
		{name: setMongoURI, env: "MONGODB_URI", fileEnv: "MONGODB_URI_FILE",
			usage: "MongoDB connection string (a replica set) for several nodes; empty: the embedded SQLite store"},
		{name: setMongoDB, env: "MONGODB_DB", def: "temaplan",
			usage: "MongoDB database name"},
		{name: setRedisURL, env: "REDIS_URL", fileEnv: "REDIS_URL_FILE",
			usage: "Redis URL of the bus between nodes (redis://host:6379/0); empty: the in-process bus of one node"},
		{name: setJWTSecret, env: "TEMAPLAN_JWT_SECRET", fileEnv: "TEMAPLAN_JWT_SECRET_FILE", noFlag: true,
			usage: "secret that signs access tokens, at least 32 bytes, the same on every node; required with MONGODB_URI; default: generated under the data directory"},
		{name: setPublicURL, env: "TEMAPLAN_PUBLIC_URL",
			usage: "the address people reach the service at, like https://plan.kommune.no: the base of links in e-mails and of the single sign-on redirect (default: http:// and the listen address)"},
		{name: setOIDCIss, env: "TEMAPLAN_OIDC_ISSUER",
			usage: "issuer URL of the OpenID Connect provider for single sign-on (https://login.microsoftonline.com/<tenant>/v2.0); empty: no single sign-on"},
		{name: setOIDCID, env: "TEMAPLAN_OIDC_CLIENT_ID",
			usage: "client id of Temaplan at the OpenID Connect provider"},
		{name: setOIDCSec, env: "TEMAPLAN_OIDC_CLIENT_SECRET", fileEnv: "TEMAPLAN_OIDC_CLIENT_SECRET_FILE", noFlag: true,
			usage: "client secret of Temaplan at the OpenID Connect provider"},
		{name: setOIDCName, env: "TEMAPLAN_OIDC_NAME",
			usage: "the provider's name on the login button (\"Logg inn med <name>\"); empty: a generic wording"},
		{name: setSMTPURL, env: "TEMAPLAN_SMTP_URL", fileEnv: "TEMAPLAN_SMTP_URL_FILE", noFlag: true,
			usage: "SMTP server of outgoing e-mail, smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465; empty: e-mail stays in the outbox"},
		{name: setMailFrom, env: "TEMAPLAN_MAIL_FROM",
			usage: "sender of e-mail, like \"Temaplan <noreply@kommune.no>\"; required with TEMAPLAN_SMTP_URL"},
		{name: setA11y, env: "TEMAPLAN_ACCESSIBILITY_CONTACT",
			usage: "where the accessibility statement (/tilgjengelighet) sends feedback: an e-mail address or an https:// address; empty: \"contact your municipality\""},
		{name: setChromium, env: "TEMAPLAN_CHROMIUM", def: "/usr/bin/chromium",
			usage: "absolute path of the Chromium that prints PDF exports (Debian's chromium package); without it PDF export answers export_unavailable"},
		{name: setAdminAddr, env: "TEMAPLAN_ADMIN_ADDR",
			usage: "address of a private listener for /metrics and /debug/pprof, e.g. 127.0.0.1:9090; empty: off"},
		{name: setOrigins, env: "TEMAPLAN_ORIGINS",
			usage: "comma-separated origins (https://plan.example.no) allowed to open a WebSocket besides the server's own"},
		{name: setLogFormat, env: "TEMAPLAN_LOG_FORMAT", def: "text",
			usage: "log line format: text (key=value, for people) or json (one object per line, for log collectors)"},
		{name: setLogLevel, env: "TEMAPLAN_LOG_LEVEL", def: "info",
			usage: "least level logged: debug, info, warn or error"},
		{name: setProxies, env: "TEMAPLAN_TRUSTED_PROXIES",
			usage: "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client; empty: none"},
		{name: setInsecure, env: "TEMAPLAN_INSECURE_COOKIES", boolean: true, def: "false",
			usage: "send the session cookie without Secure, for plain-HTTP development on another host than localhost; never in production"},
		{name: setDemo, env: "TEMAPLAN_DEMO", boolean: true, def: "false",
			usage: "seed Demo kommune, its users (leader@demo.no, …) and a plan, if absent"},
		{name: setDemoPass, env: "TEMAPLAN_DEMO_PASSWORD", def: "demo",
			usage: "password of the demo users (with -demo)"},
		{name: setDemoClock, env: "TEMAPLAN_DEMO_CLOCK", boolean: true, def: "false",
			usage: "with -demo, let the administrator move the server's clock forward (POST /api/demo/clock); for browser tests only"},
	}
}

// renamedEnv maps the environment variables of earlier versions to their
// new names. Left in an environment, an old name would be ignored without
// a word (metrics gone after an upgrade), so LoadConfig refuses it.
func renamedEnv() map[string]string {
	return map[string]string{"TEMAPLAN_METRICS_ADDR": "TEMAPLAN_ADMIN_ADDR"}
}

// EnvNames returns every environment variable the configuration reads.
func EnvNames() []string {
	var out []string
	for _, s := range settings() {
		out = append(out, s.env)
		if s.fileEnv != "" {
			out = append(out, s.fileEnv)
		}
	}
	return out
}

// LoadConfig reads the configuration from args (the flags of `serve`) and
// the environment, flags first, and checks it. Every problem is reported
// at once, each naming the variable and flag to fix. usage receives the
// flag help.
func LoadConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	fs := flag.NewFlagSet("temaplan serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	values := map[string]*string{}
	files := map[string]*string{}
	for _, s := range settings() {
		values[s.name], files[s.name] = new(string), new(string)
		*values[s.name] = s.def
		switch {
		case s.boolean:
			fs.Var((*boolString)(values[s.name]), s.name, s.usage+" ["+s.env+"]")
		case !s.noFlag:
			fs.StringVar(values[s.name], s.name, s.def, s.usage+" ["+s.env+"]")
		}
		if s.fileEnv != "" {
			fs.StringVar(files[s.name], s.name+"-file", "", "file holding the "+s.name+" ["+s.fileEnv+"]")
		}
	}
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: temaplan [serve] [flags]\n\nRuns a Temaplan node. Every flag has an environment variable (in brackets);\na flag wins over its variable.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	// The environment fills what no flag set; a flag for a value or its
	// file sets both.
	flagged := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { flagged[strings.TrimSuffix(f.Name, "-file")] = true })
	for _, s := range settings() {
		if flagged[s.name] {
			continue
		}
		if v := getenv(s.env); v != "" {
			*values[s.name] = v
		}
		if s.fileEnv != "" {
			*files[s.name] = getenv(s.fileEnv)
		}
	}

	var errs []error
	fail := func(name string, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", label(name), fmt.Sprintf(format, args...)))
	}
	renamed := renamedEnv()
	for _, old := range slices.Sorted(maps.Keys(renamed)) {
		if getenv(old) != "" {
			errs = append(errs, fmt.Errorf("%s was renamed %s: rename it in the environment", old, renamed[old]))
		}
	}
	// Read the values given as files.
	for _, s := range settings() {
		f := files[s.name]
		if f == nil || *f == "" {
			continue
		}
		if *values[s.name] != "" {
			fail(s.name, "give either %s or %s, not both", s.env, s.fileEnv)
			continue
		}
		if s.name == setJWTSecret {
			continue // read below, with its own checks
		}
		b, err := os.ReadFile(*f)
		if err != nil {
			fail(s.name, "%v", err)
			continue
		}
		*values[s.name] = strings.TrimSpace(string(b))
	}

	cfg := Config{
		Addr:      *values[setAddr],
		DataDir:   *values[setData],
		MongoURI:  *values[setMongoURI],
		MongoDB:   *values[setMongoDB],
		RedisURL:  *values[setRedisURL],
		AdminAddr: *values[setAdminAddr],
	}
	if err := checkAddr(cfg.Addr); err != nil {
		fail(setAddr, "%v", err)
	}
	if cfg.AdminAddr != "" {
		if err := checkAddr(cfg.AdminAddr); err != nil {
			fail(setAdminAddr, "%v", err)
		} else if cfg.AdminAddr == cfg.Addr && !strings.HasSuffix(cfg.Addr, ":0") {
			fail(setAdminAddr, "must differ from %s: metrics and profiling belong on a private listener", label(setAddr))
		}
	}
	if cfg.MongoURI == "" && strings.TrimSpace(cfg.DataDir) == "" {
		fail(setData, "must not be empty: the embedded store lives there")
	}
	if cfg.MongoURI != "" {
		if err := checkMongoURI(cfg.MongoURI); err != nil {
			fail(setMongoURI, "%v", err)
		}
	}
	if err := checkMongoDB(cfg.MongoDB); err != nil {
		fail(setMongoDB, "%v", err)
	}
	if cfg.RedisURL != "" {
		if err := checkRedisURL(cfg.RedisURL); err != nil {
			fail(setRedisURL, "%v", err)
		}
	}

	// The JWT secret: given, or generated in embedded mode only.
	switch secret, file := *values[setJWTSecret], *files[setJWTSecret]; {
	case secret != "" && file != "":
		// Reported above.
	case file != "":
		b, err := auth.ReadSecretFile(file)
		if err != nil {
			fail(setJWTSecret, "%v", err)
		}
		cfg.JWTSecret, cfg.JWTSecretSource = b, "TEMAPLAN_JWT_SECRET_FILE"
	case secret != "":
		if err := auth.CheckSecret([]byte(secret)); err != nil {
			fail(setJWTSecret, "%v", err)
		}
		cfg.JWTSecret, cfg.JWTSecretSource = []byte(secret), "TEMAPLAN_JWT_SECRET"
	case cfg.MongoURI != "":
		errs = append(errs, errors.New("TEMAPLAN_JWT_SECRET or TEMAPLAN_JWT_SECRET_FILE is required when MONGODB_URI is set: "+
			"the nodes that share a MongoDB must share one JWT secret, so it cannot be generated per node "+
			"(create one with `openssl rand -hex 32`)"))
	}

	proxies, err := auth.ParseTrustedProxies(*values[setProxies])
	if err != nil {
		fail(setProxies, "%v", err)
	}
	cfg.TrustedProxies = proxies
	for name, dst := range map[string]*bool{setInsecure: &cfg.InsecureCookies, setDemo: &cfg.Demo, setDemoClock: &cfg.DemoClock} {
		b, err := strconv.ParseBool(*values[name])
		if err != nil {
			fail(name, "%q is not true or false", *values[name])
		}
		*dst = b
	}
	cfg.DemoPassword = *values[setDemoPass]
	if cfg.Demo && cfg.DemoPassword == "" {
		fail(setDemoPass, "must not be empty with -demo")
	}
	if cfg.DemoClock && !cfg.Demo {
		fail(setDemoClock, "is only for a demo server (with -demo)")
	}
	if c := strings.TrimSpace(*values[setA11y]); c != "" {
		if err := checkContact(c); err != nil {
			fail(setA11y, "%v", err)
		}
		cfg.AccessibilityContact = c
	}
	if c := strings.TrimSpace(*values[setChromium]); !filepath.IsAbs(c) || strings.ContainsFunc(c, unicode.IsControl) {
		fail(setChromium, "%q is not an absolute path like /usr/bin/chromium", c)
	} else {
		cfg.Chromium = filepath.Clean(c)
	}

	publicURL, err := parsePublicURL(*values[setPublicURL], cfg.Addr)
	if err != nil {
		fail(setPublicURL, "%v", err)
	}
	cfg.PublicURL = publicURL
	cfg.OIDCIssuer, cfg.OIDCClientID = strings.TrimSpace(*values[setOIDCIss]), strings.TrimSpace(*values[setOIDCID])
	cfg.OIDCClientSecret, cfg.OIDCName = *values[setOIDCSec], strings.TrimSpace(*values[setOIDCName])
	for _, e := range checkOIDC(cfg, *values[setPublicURL] != "") {
		fail(e.name, "%s", e.msg)
	}

	if raw := *values[setSMTPURL]; raw != "" {
		// The error never repeats the URL: it may hold a password.
		if cfg.SMTP, err = mail.ParseSMTPURL(raw); err != nil {
			fail(setSMTPURL, "%v", err)
		}
		if *values[setPublicURL] == "" {
			fail(setPublicURL, "is required with TEMAPLAN_SMTP_URL: the links in e-mails start with it")
		}
		if *values[setMailFrom] == "" {
			fail(setMailFrom, "is required with TEMAPLAN_SMTP_URL (\"Temaplan <noreply@kommune.no>\")")
		}
	}
	if cfg.MailFrom = strings.TrimSpace(*values[setMailFrom]); cfg.MailFrom != "" {
		if _, err := netmail.ParseAddress(cfg.MailFrom); err != nil {
			fail(setMailFrom, "%q is not an address like \"Temaplan <noreply@kommune.no>\"", cfg.MailFrom)
		}
	}

	origins, err := parseOrigins(*values[setOrigins])
	if err != nil {
		fail(setOrigins, "%v", err)
	}
	cfg.Origins = origins
	switch f := *values[setLogFormat]; f {
	case "text":
	case "json":
		cfg.LogJSON = true
	default:
		fail(setLogFormat, "%q is not text or json", f)
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(*values[setLogLevel])); err != nil {
		fail(setLogLevel, "%q is not one of debug, info, warn, error", *values[setLogLevel])
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("invalid configuration:\n  %w", joinLines(errs))
	}
	return cfg, nil
}

// label names a setting by its environment variable and its flag.
func label(name string) string {
	for _, s := range settings() {
		if s.name == name {
			if s.noFlag {
				return s.env
			}
			return s.env + " (-" + s.name + ")"
		}
	}
	return name
}

// joinLines joins errors one per line, indented under the heading.
func joinLines(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "\n  "))
}

// checkAddr checks a host:port listen address.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %w", addr, err)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q has an invalid host", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has an invalid port", addr)
	}
	return nil
}

// checkMongoURI checks the shape of a MongoDB connection string; the
// driver checks the rest when it connects.
func checkMongoURI(uri string) error {
	u, err := url.Parse(uri)
	if err != nil {
		return errors.New("is not a valid connection string (mongodb://host:27017/?replicaSet=rs0)")
	}
	if u.Scheme != "mongodb" && u.Scheme != "mongodb+srv" {
		return fmt.Errorf("must start with mongodb:// or mongodb+srv://, not %q", u.Scheme+"://")
	}
	if u.Host == "" {
		return errors.New("names no host")
	}
	return nil
}

// checkMongoDB checks a MongoDB database name.
func checkMongoDB(db string) error {
	switch {
	case db == "":
		return errors.New("must not be empty")
	case len(db) > 63:
		return errors.New("is longer than 63 bytes")
	case strings.ContainsAny(db, "/\\. \"$*<>:|?\x00"):
		return fmt.Errorf("%q contains a character MongoDB does not allow in a database name", db)
	}
	return nil
}

// checkRedisURL checks the shape of a Redis URL.
func checkRedisURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("is not a valid URL (redis://host:6379/0)")
	}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Host == "" {
			return errors.New("names no host")
		}
	case "unix":
		if u.Path == "" {
			return errors.New("names no socket path")
		}
	default:
		return fmt.Errorf("must start with redis://, rediss:// or unix://, not %q", u.Scheme+"://")
	}
	return nil
}

// parseOrigins parses a comma-separated list of origins and returns them
// normalised (lower-case scheme://host[:port]).
func parseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			return nil, errors.New(`"*" is not allowed: any web site could then open WebSockets with a user's session`)
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("%q is not an origin like https://plan.example.no", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

// parsePublicURL checks the public address and returns it without a
// trailing slash; empty means http:// and the listen address addr.
func parsePublicURL(raw, addr string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "http://" + addr, nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q is not an address like https://plan.kommune.no", raw)
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// settingError is a problem with one setting.
type settingError struct{ name, msg string }

// checkOIDC checks the single sign-on settings: all of issuer, client id
// and client secret or none; an https issuer (http only on the loopback,
// for a provider on the developer's machine); a public URL given, since
// the redirect URI registered at the provider is built from it.
func checkOIDC(cfg Config, publicURLGiven bool) []settingError {
	if cfg.OIDCIssuer == "" && cfg.OIDCClientID == "" && cfg.OIDCClientSecret == "" {
		if cfg.OIDCName != "" {
			return []settingError{{setOIDCName, "is set but single sign-on is not (TEMAPLAN_OIDC_ISSUER)"}}
		}
		return nil
	}
	var errs []settingError
	if cfg.OIDCIssuer == "" {
		errs = append(errs, settingError{setOIDCIss, "is required for single sign-on (with the client id and secret)"})
	} else if u, err := url.Parse(cfg.OIDCIssuer); err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		!(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		errs = append(errs, settingError{setOIDCIss, fmt.Sprintf("%q is not an https URL like https://login.microsoftonline.com/<tenant>/v2.0", cfg.OIDCIssuer)})
	}
	if cfg.OIDCClientID == "" {
		errs = append(errs, settingError{setOIDCID, "is required for single sign-on"})
	}
	if cfg.OIDCClientSecret == "" {
		errs = append(errs, settingError{setOIDCSec, "is required for single sign-on (or TEMAPLAN_OIDC_CLIENT_SECRET_FILE)"})
	}
	if !publicURLGiven {
		errs = append(errs, settingError{setPublicURL, "is required for single sign-on: the redirect URI registered at the provider is TEMAPLAN_PUBLIC_URL + /api/auth/oidc/callback"})
	}
	if n := utf8.RuneCountInString(cfg.OIDCName); n > 60 || strings.ContainsFunc(cfg.OIDCName, unicode.IsControl) {
		errs = append(errs, settingError{setOIDCName, "must be at most 60 printable characters"})
	}
	return errs
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// boolString is a switch flag stored as the text "true" or "false", so
// that boolean settings share the string table of settings.
type boolString string

func (b *boolString) String() string {
	if b == nil || *b == "" {
		return "false" // the zero value, so that -h prints no default
	}
	return string(*b)
}

func (b *boolString) Set(v string) error {
	if _, err := strconv.ParseBool(v); err != nil {
		return fmt.Errorf("%q is not true or false", v)
	}
	*b = boolString(v)
	return nil
}

func (b *boolString) IsBoolFlag() bool { return true }

// checkContact accepts an e-mail address or an https:// address: where
// people give feedback on accessibility.
func checkContact(c string) error {
	if strings.HasPrefix(c, "https://") {
		if u, err := url.Parse(c); err == nil && u.Host != "" && !strings.ContainsAny(c, " <>\"") {
			return nil
		}
	} else if a, err := netmail.ParseAddress(c); err == nil && a.Address == c && a.Name == "" {
		return nil
	}
	return fmt.Errorf("%q is neither an e-mail address nor an https:// address", c)
}
