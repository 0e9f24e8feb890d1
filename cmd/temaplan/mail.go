package main

import (
	"context"
	"fmt"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
)

// openMail returns the node's e-mail on its store: an outbox that every
// node shares, delivered by the nodes configured with TEMAPLAN_SMTP_URL.
func (m *Main) openMail(plans *collab.Plans) (*mail.Mailer, error) {
	ms, ok := m.store.(mail.Store)
	as, ok2 := m.store.(auth.Store)
	if !ok || !ok2 {
		return nil, fmt.Errorf("the store %s keeps no e-mail", m.store.Describe())
	}
	// Passwords set through a link are hashed one at a time: they are
	// rare, and the logins' hasher keeps its own bound.
	hasher, err := auth.NewHasher(auth.HasherConfig{MaxConcurrent: 1})
	if err != nil {
		return nil, err
	}
	mailer, err := mail.New(mail.Config{Store: ms, Accounts: as, Plans: plans, Hasher: hasher, SMTP: m.Config.SMTP,
		From: m.Config.MailFrom, PublicURL: m.Config.PublicURL, Log: m.log})
	if err != nil {
		return nil, fmt.Errorf("e-mail (TEMAPLAN_SMTP_URL, TEMAPLAN_MAIL_FROM, TEMAPLAN_PUBLIC_URL): %w", err)
	}
	return mailer, nil
}

// startMail runs the e-mail's sender and its periodic work on a goroutine
// that Close stops and waits for.
func (m *Main) startMail() {
	ctx, cancel := context.WithCancel(context.Background())
	m.stopMail = cancel
	m.wg.Go(func() { m.mailer.Run(ctx) })
}
