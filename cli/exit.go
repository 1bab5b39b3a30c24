package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/view"
)

// labctl's exit codes. Every command's code comes from exitCode, from marks
// set where an error arises: usageError (a bad flag, argument, chapter,
// step, --lang or --labs), cluster's environment sentinels (no cluster, API
// server unreachable, kubeconfig unusable, no container runtime),
// cluster.ErrStopped, view.ErrInterrupted and the context's errors, and
// silentError for a verdict the command has already printed. No error text
// is ever read to decide.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitStopped     = 3 // the lab exists but its nodes are stopped: labctl start
	exitTimeout     = 124
	exitInterrupted = 130
)

// exitCodes is the README's exit-code table, row for row (TestREADMEExitCodes).
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "success"},
	{exitFailure, "a check failed, `doctor` found a blocker, `status` found something unhealthy, or the command failed"},
	{exitUsage, "usage error (a bad flag, argument, chapter, step, `--lang`, `--labs`) or environment error (no lab cluster, API server unreachable, kubeconfig unusable, no container runtime); `check` also when nothing could be checked"},
	{exitStopped, "the lab is stopped, partly stopped or paused (`labctl start`)"},
	{exitTimeout, "timeout (`apply --wait`, `reset --wait`)"},
	{exitInterrupted, "interrupted (Ctrl-C)"},
}

// exitCode is the one function that turns a command's error into labctl's
// exit code. ctx is the command's context: a cancellation is an interrupt
// only when the student's Ctrl-C cancelled it.
func exitCode(ctx context.Context, err error) int {
	var silent *silentError
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &silent):
		return silent.code
	case errors.Is(err, cluster.ErrStopped):
		return exitStopped
	case errors.Is(err, view.ErrInterrupted), errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitInterrupted
	case errors.As(err, &usage), cluster.IsEnvironment(err), errors.Is(err, cluster.ErrRuntimeDown):
		return exitUsage
	case errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	}
	return exitFailure
}

// usageError marks bad flags or arguments (exit code 2) where they are
// found; path is the command whose --help explains the right usage.
type usageError struct {
	err  error
	path string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{err: i18n.Errorf(msgUsage, fmt.Sprintf(format, args...))}
}

// silentError carries the exit code of a verdict already printed (a failed
// check, a doctor finding, an unhealthy status).
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
