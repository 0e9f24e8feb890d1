package collab

import (
	"context"
	"strings"
	"unicode/utf8"
)

// maxArchiveReasonLen bounds the reason given for archiving a plan.
const maxArchiveReasonLen = 1000

// SetArchived archives a plan (archived true) or restores it, with an
// optional reason for the log. The decision is the plan-log entry itself,
// appended under the plan's next seq like every change; archiving an
// archived plan, or restoring one that is not archived, is a conflict.
// While a plan is archived every other change is refused with
// CodeArchived.
func (ps *Plans) SetArchived(ctx context.Context, by Actor, planID string, archived bool, reason string) (*Plan, error) {
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxArchiveReasonLen ||
		strings.ContainsFunc(reason, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) {
		return nil, Errorf(CodeInvalid, "the reason must be printable text of at most %d characters", maxArchiveReasonLen)
	}
	return ps.commit(ctx, by, planID, 0, &archiveSet{Archived: archived, Reason: reason})
}

// errArchived is the refusal of a change to an archived plan.
func errArchived() error {
	return Errorf(CodeArchived, "the plan is archived: it is read-only until an administrator restores it")
}
