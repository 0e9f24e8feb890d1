package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"time"
)

// DefaultSMTPTimeout bounds one delivery: dialling, the TLS handshake and
// the whole SMTP conversation.
const DefaultSMTPTimeout = 60 * time.Second

// SMTP is the relay messages are delivered through (TEMAPLAN_SMTP_URL).
type SMTP struct {
	// Addr is the server's host:port.
	Addr string
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465);
	// otherwise STARTTLS is used whenever the server offers it, and
	// credentials are only ever sent over TLS or to localhost.
	ImplicitTLS bool
	// Username and Password log in with AUTH PLAIN; empty sends no AUTH.
	Username, Password string
	// TLSConfig is the TLS configuration of both modes; nil means the
	// system's roots and the host of Addr.
	TLSConfig *tls.Config
	// LocalName is the name given with EHLO ("localhost" when empty).
	LocalName string
	// Timeout bounds one delivery (DefaultSMTPTimeout when 0).
	Timeout time.Duration
}

// ParseSMTPURL reads an SMTP URL: smtp://[user:password@]host[:port]
// (port 587 by default; STARTTLS when the server offers it) or
// smtps://[user:password@]host[:port] (implicit TLS, port 465 by default).
// User and password are URL-encoded.
func ParseSMTPURL(s string) (*SMTP, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("is not a valid URL (smtp://user:password@host:587)")
	}
	cfg := &SMTP{}
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		cfg.ImplicitTLS, port = true, "465"
	default:
		return nil, fmt.Errorf("must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("names no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("has an invalid port %q", p)
		}
		port = p
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("must be only scheme, credentials, host and port")
	}
	cfg.Addr = net.JoinHostPort(host, port)
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	return cfg, nil
}

// String describes the relay for the log, without the password.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.Username != "" {
		user = url.User(s.Username).String() + "@"
	}
	return scheme + "://" + user + s.Addr
}

// Send delivers msg (a complete message with headers, CRLF line ends)
// from the envelope sender from to the recipients to.
func (s *SMTP) Send(ctx context.Context, from string, to []string, msg []byte) (err error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	tlsConfig := s.tlsConfig(host)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: dial %s: %w", s.Addr, err)
	}
	// The whole conversation ends with ctx: net/smtp takes no context.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.ImplicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("smtp: TLS handshake with %s: %w", s.Addr, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: greeting of %s: %w", s.Addr, err)
	}
	defer c.Close()
	step := func(what string, err error) error {
		if err != nil {
			return &SendError{Step: what, Err: err}
		}
		return nil
	}
	local := s.LocalName
	if local == "" {
		local = "localhost"
	}
	if err := step("EHLO", c.Hello(local)); err != nil {
		return err
	}
	if !s.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := step("STARTTLS", c.StartTLS(tlsConfig)); err != nil {
				return err
			}
		}
	}
	if s.Username != "" {
		// PlainAuth refuses to send the password unencrypted to any
		// host but localhost.
		if err := step("AUTH", c.Auth(smtp.PlainAuth("", s.Username, s.Password, host))); err != nil {
			return err
		}
	}
	if err := step("MAIL FROM", c.Mail(from)); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := step("RCPT TO", c.Rcpt(rcpt)); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err := step("DATA", err); err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return step("DATA", err)
	}
	if err := step("end of DATA", w.Close()); err != nil {
		return err
	}
	// The message is accepted; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

func (s *SMTP) tlsConfig(host string) *tls.Config {
	if s.TLSConfig != nil {
		c := s.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		return c
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// SendError is a failed step of the SMTP conversation.
type SendError struct {
	// Step is the command that failed ("EHLO", "AUTH", "RCPT TO", ...).
	Step string
	Err  error
}

func (e *SendError) Error() string { return "smtp: " + e.Step + ": " + e.Err.Error() }

func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports whether a delivery error is the server's final
// refusal of this message — a 5xx reply to RCPT TO (no such recipient) or
// to the message itself — which no retry will change. Everything else is
// temporary: network errors, 4xx replies, and 5xx replies to the steps
// before (a wrong password, a refused sender), which an operator fixes
// for every message at once.
func Permanent(err error) bool {
	var se *SendError
	var te *textproto.Error
	if !errors.As(err, &se) || !errors.As(err, &te) {
		return false
	}
	return (se.Step == "RCPT TO" || se.Step == "end of DATA") && te.Code >= 500 && te.Code < 600
}
