package mail

import (
	"context"

	"github.com/temaplan/temaplan/collab"
)

// Prefs returns the notification setting of user: what they chose, or
// DefaultPrefs.
func (m *Mailer) Prefs(ctx context.Context, user string) (Prefs, error) {
	p, ok, err := m.cfg.Store.MailPrefs(ctx, user)
	if err != nil {
		return Prefs{}, collab.Wrap(collab.CodeUnavailable, err, "the notification settings could not be read; try again")
	}
	if !ok {
		return DefaultPrefs(user), nil
	}
	return p, nil
}

// PrefsPatch is the input for changing a notification setting; nil fields
// stay as they are.
type PrefsPatch struct {
	Mode *Mode `json:"mode"`
	Lang *Lang `json:"lang"`
}

// SetPrefs changes the notification setting of user.
func (m *Mailer) SetPrefs(ctx context.Context, user string, in PrefsPatch) (Prefs, error) {
	if in.Mode == nil && in.Lang == nil {
		return Prefs{}, collab.Errorf(collab.CodeInvalid, "nothing to change (mode, lang)")
	}
	p, err := m.Prefs(ctx, user)
	if err != nil {
		return Prefs{}, err
	}
	if in.Mode != nil {
		switch *in.Mode {
		case ModeInstant, ModeDigest, ModeOff:
			p.Mode = *in.Mode
		default:
			return Prefs{}, collab.Errorf(collab.CodeInvalid, "mode must be instant, digest or off")
		}
	}
	if in.Lang != nil {
		switch *in.Lang {
		case LangNB, LangNN:
			p.Lang = *in.Lang
		default:
			return Prefs{}, collab.Errorf(collab.CodeInvalid, "lang must be nb or nn")
		}
	}
	p.User, p.Updated = user, m.now()
	if err := m.cfg.Store.SetMailPrefs(ctx, p); err != nil {
		return Prefs{}, collab.Wrap(collab.CodeUnavailable, err, "the notification settings could not be stored; try again")
	}
	return p, nil
}
