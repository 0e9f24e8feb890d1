// Package mailtest is a real SMTP server for tests (github.com/emersion/go-smtp
// on a local port): it speaks SMTP with AUTH PLAIN and, if asked, implicit
// TLS, keeps every message it accepts, and parses each one as a mail
// reader would — headers, the RFC 2047 subject, the quoted-printable text
// and HTML parts — so tests check what a recipient gets.
//
// It is a test helper: the product binary never imports it.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// Addr is the address to listen on; "" picks a free local port.
	Addr string
	// Username and Password, when set, are required (AUTH PLAIN).
	Username, Password string
	// TLS serves implicit TLS (smtps) with a self-signed certificate for
	// 127.0.0.1; ClientTLS trusts it.
	TLS bool
	// Reject refuses these recipients permanently (550 at RCPT TO).
	Reject []string
}

// Message is a message the server accepted, parsed.
type Message struct {
	From string
	To   []string
	// Raw is the message as received.
	Raw    []byte
	Header netmail.Header
	// Subject is the decoded subject.
	Subject string
	// Text and HTML are the decoded parts ("" when absent), their CRLF
	// line ends read as "\n", as a mail reader shows them.
	Text, HTML string
	// ParseErr is why the message did not parse, if it did not.
	ParseErr error
}

// Server is a running test SMTP server.
type Server struct {
	opts Options
	srv  *smtp.Server
	ln   net.Listener
	cert *x509.Certificate

	mu     sync.Mutex
	closed bool
	msgs   []Message
	notify chan struct{}
	// auths counts successful logins.
	auths int
}

// Start starts a server with opts and stops it when tb ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{opts: opts, notify: make(chan struct{})}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.EnableSMTPUTF8 = true
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.ErrorLog = testLogger{s, tb}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	if opts.TLS {
		cert, tlsCert, err := selfSigned()
		if err != nil {
			ln.Close()
			tb.Fatalf("mailtest: %v", err)
		}
		s.cert = cert
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{tlsCert}})
	}
	s.ln = ln
	go func() { _ = s.srv.Serve(ln) }()
	tb.Cleanup(func() { s.Close() })
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the SMTP URL of the server, with its credentials.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.opts.TLS {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// ClientTLS returns a TLS configuration that trusts the server's
// certificate (nil without TLS).
func (s *Server) ClientTLS() *tls.Config {
	if s.cert == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// Close stops the server; messages received stay readable.
func (s *Server) Close() {
	_ = s.srv.Close()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// Messages returns the messages received so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Logins returns how many sessions logged in.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

// Wait returns the messages once at least n have been received, or fails
// tb after timeout.
func (s *Server) Wait(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		s.mu.Lock()
		msgs, ch := slices.Clone(s.msgs), s.notify
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-ch:
		case <-ctx.Done():
			tb.Fatalf("mailtest: %d messages after %v, want %d", len(msgs), timeout, n)
			return nil
		}
	}
}

// NewSession starts an SMTP session (smtp.Backend).
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{s: s}, nil
}

// session is one SMTP conversation.
type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		ss.s.mu.Lock()
		ss.s.auths++
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if slices.Contains(ss.s.opts.Reject, to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := parse(raw)
	m.From, m.To = ss.from, ss.to
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, m)
	close(ss.s.notify)
	ss.s.notify = make(chan struct{})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// parse reads a message as a mail client does.
func parse(raw []byte) Message {
	m := Message{Raw: raw}
	pm, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.ParseErr = err
		return m
	}
	m.Header = pm.Header
	var dec mime.WordDecoder
	if m.Subject, err = dec.DecodeHeader(pm.Header.Get("Subject")); err != nil {
		m.ParseErr = fmt.Errorf("subject: %w", err)
		return m
	}
	ctype, params, err := mime.ParseMediaType(pm.Header.Get("Content-Type"))
	if err != nil {
		m.ParseErr = fmt.Errorf("content type: %w", err)
		return m
	}
	switch {
	case strings.HasPrefix(ctype, "multipart/"):
		mr := multipart.NewReader(pm.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				m.ParseErr = fmt.Errorf("part: %w", err)
				return m
			}
			// multipart decodes quoted-printable parts itself.
			b, err := io.ReadAll(p)
			if err != nil {
				m.ParseErr = fmt.Errorf("part: %w", err)
				return m
			}
			pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			switch pt {
			case "text/plain":
				m.Text = lines(b)
			case "text/html":
				m.HTML = lines(b)
			}
		}
	default:
		var body io.Reader = pm.Body
		if strings.EqualFold(pm.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			m.ParseErr = fmt.Errorf("body: %w", err)
			return m
		}
		m.Text = lines(b)
	}
	return m
}

// lines returns a decoded text with its CRLF line ends as "\n".
func lines(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned() (*x509.Certificate, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mailtest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return cert, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, nil
}

// testLogger sends the server's errors to the test log while the server
// runs (a test's log is closed once it ends).
type testLogger struct {
	s  *Server
	tb testing.TB
}

func (l testLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l testLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l testLogger) log(text string) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if !l.s.closed {
		l.tb.Log("mailtest: " + strings.TrimSpace(text))
	}
}
