package i18n

import (
	"errors"
	"fmt"
	"strings"
)

// Error is an error a student reads: a message with its arguments, an
// optional fix, and the technical cause underneath.
type Error struct {
	Msg  Message
	Args []any
	Fix  *Message
	// FixArgs fill the fix's verbs (the command to run, with the lab's name).
	FixArgs []any
	Err     error
	// Mark is a sentinel errors.Is matches without printing it.
	Mark error
}

// Errorf makes an Error from a message and its arguments.
func Errorf(m Message, args ...any) *Error { return &Error{Msg: m, Args: args} }

// Wrap records the technical cause.
func (e *Error) Wrap(err error) *Error { e.Err = err; return e }

// WithFix attaches what the student should do about it.
func (e *Error) WithFix(m Message, args ...any) *Error { e.Fix, e.FixArgs = &m, args; return e }

// Marked makes errors.Is(e, sentinel) true, for states a caller must
// recognise (no cluster, interrupted), without adding text.
func (e *Error) Marked(sentinel error) *Error { e.Mark = sentinel; return e }

// Is matches the sentinel set with Marked.
func (e *Error) Is(target error) bool { return e.Mark != nil && target == e.Mark }

// Error renders in English, for logs and tests.
func (e *Error) Error() string { return e.Localize(En) }

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Localize renders the message in l, then its cause.
func (e *Error) Localize(l Lang) string {
	s := e.Msg.F(l, e.Args...)
	if e.Err != nil {
		s += ": " + Localize(e.Err, l)
	}
	return s
}

// Localize renders any error in l: Errors in their language, anything else
// as it is (technical detail from Kubernetes or the runtime stays English).
func Localize(err error, l Lang) string {
	var le *Error
	if !errors.As(err, &le) {
		return err.Error()
	}
	// A plain wrapper ("apply x: <Error>") keeps its English prefix.
	prefix := strings.TrimSuffix(err.Error(), le.Error())
	return prefix + le.Localize(l)
}

// FixOf returns the fix attached to the first Error in err's chain.
func FixOf(err error, l Lang) string {
	for err != nil {
		if le, ok := err.(*Error); ok && le.Fix != nil {
			return le.Fix.F(l, le.FixArgs...)
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// Sprintf is fmt.Sprintf for a Text rather than a Message.
func (t Text) Sprintf(l Lang, args ...any) string { return fmt.Sprintf(t.In(l), args...) }
