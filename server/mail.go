package server

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
)

// E-mail over REST: a person's notification setting, and the hooks that
// write messages into the outbox when a request causes them — an
// invitation when an administrator makes an account, a notification when
// a comment mentions people or a review round is sent. The messages are
// stored before the request answers; the outbox delivers them (package
// mail). A message that cannot be stored is logged: the change that
// caused it has been made and is not undone for it.

// errNoMail answers the e-mail routes of a server without e-mail.
func errNoMail() error {
	return collab.Errorf(collab.CodeUnavailable, "this server sends no e-mail")
}

// mailContext is the context of storing a request's messages: it ends
// with the request's deadline, not when the client goes away, so a message
// is not lost to a closed tab.
func mailContext(c echo.Context) context.Context {
	return context.WithoutCancel(c.Request().Context())
}

func (s *Server) getNotifications(c echo.Context) error {
	if s.cfg.Mail == nil {
		return errNoMail()
	}
	p, err := s.cfg.Mail.Prefs(c.Request().Context(), principal(c).Account.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) putNotifications(c echo.Context) error {
	if s.cfg.Mail == nil {
		return errNoMail()
	}
	var req mail.PrefsPatch
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Mail.SetPrefs(c.Request().Context(), principal(c).Account.ID, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// invitationPassword returns the password a new account is made with:
// the one the administrator chose, or — when they chose none — a random
// one nobody knows, until the invitation's link sets the person's own.
// Without e-mail there is no invitation, so a password is required.
func (s *Server) invitationPassword(password string) (string, error) {
	if password != "" {
		return password, nil
	}
	if s.cfg.Mail == nil {
		return "", collab.Errorf(collab.CodeInvalid, "a password is required: this server sends no invitations")
	}
	return rand.Text() + rand.Text(), nil
}

// sendInvitation writes the invitation of the account a, made by by.
func (s *Server) sendInvitation(c echo.Context, a, by auth.Account) {
	if s.cfg.Mail == nil {
		return
	}
	if err := s.cfg.Mail.Invite(mailContext(c), a, by); err != nil {
		s.log.Error("invitation e-mail not stored", "user", a.ID, "err", err)
	}
}

// notifyMentions notifies the people comment cm of plan p mentions.
func (s *Server) notifyMentions(c echo.Context, p *collab.Plan, cm *collab.Comment) {
	if s.cfg.Mail == nil || cm == nil || len(cm.Mentions) == 0 {
		return
	}
	if err := s.cfg.Mail.Mention(mailContext(c), p, cm); err != nil {
		s.log.Error("mention e-mails not stored", "plan", p.ID, "comment", cm.ID, "err", err)
	}
}

// sendRound makes a review round and asks its recipients by e-mail.
func (s *Server) sendRound(c echo.Context) error {
	var in collab.RoundInput
	if err := bind(c, &in); err != nil {
		return err
	}
	p, round, err := collab.Save[*collab.Round](c.Request().Context(), s.cfg.Plans, s.actor(c, auth.ActionManageProject), planOf(c).ID, "", in)
	if err != nil {
		return err
	}
	if s.cfg.Mail != nil {
		if err := s.cfg.Mail.RoundRequest(mailContext(c), p, round); err != nil {
			s.log.Error("review round e-mails not stored", "plan", p.ID, "round", round.ID, "err", err)
		}
	}
	return s.answerWith(c, http.StatusCreated, p, "round", func(v *collab.Plan) any { return collab.Lookup(v, round) })
}
