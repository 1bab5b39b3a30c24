package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
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

// Localizer is an error that can render itself in a language (an Error, a
// list of lab content problems).
type Localizer interface {
	error
	Localize(l Lang) string
}

// Localize renders any error in l: Localizers in their language, a file
// system error with its operation and reason translated, anything else as it
// is (technical detail from Kubernetes or the runtime stays English).
func Localize(err error, l Lang) string {
	var lz Localizer
	if errors.As(err, &lz) {
		// A plain wrapper ("apply x: <Error>") keeps its English prefix.
		return strings.TrimSuffix(err.Error(), lz.Error()) + lz.Localize(l)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return strings.TrimSuffix(err.Error(), pe.Error()) + localizePath(pe, l)
	}
	return err.Error()
}

// localizePath says what the operating system refused, and why, in l.
func localizePath(pe *fs.PathError, l Lang) string {
	var why Message
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		why = msgNotExist
	case errors.Is(pe.Err, fs.ErrPermission):
		why = msgPermission
	case errors.Is(pe.Err, fs.ErrExist):
		why = msgExist
	case errors.Is(pe.Err, syscall.ENOTDIR):
		why = msgNotDir
	default:
		return msgPathOp.F(l, pe.Op, pe.Path, pe.Err.Error())
	}
	return msgPathOp.F(l, pe.Op, pe.Path, why.F(l))
}

var (
	msgPathOp     = M("os.path-op", "%[1]s %[2]s: %[3]s", "%[2]s: %[3]s (%[1]s)")
	msgNotExist   = M("os.not-exist", "no such file or directory (is a folder above it missing?)", "그런 파일이나 디렉터리가 없습니다 (위의 폴더가 없나요?)")
	msgPermission = M("os.permission", "permission denied", "권한이 없습니다")
	msgExist      = M("os.exist", "already exists", "이미 있습니다")
	msgNotDir     = M("os.not-dir", "a part of the path is a file, not a directory", "경로 중간에 디렉터리가 아닌 파일이 있습니다")
)

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
