package verify

import (
	"bytes"
	"context"
	"errors"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// PodExec runs a command inside a container: the `pod` vantage point, for
// checks that must see what a container sees (its hostname, its files, its
// localhost). Checks only run commands that read (cat, ls, an HTTP GET):
// what the student built is never changed.
type PodExec interface {
	Exec(ctx context.Context, ns, pod, container string, cmd []string) (ExecResult, error)
}

// ExecResult is what a command printed and how it ended.
type ExecResult struct {
	Stdout, Stderr string
	// ExitCode is the command's exit status (0 when it succeeded).
	ExitCode int
	// NotFound: the container has no such program.
	NotFound bool
}

// APIExec is the PodExec of a real cluster: the API server's exec
// subresource, over WebSockets with SPDY as the fallback, as kubectl does.
type APIExec struct {
	Config *rest.Config
	Client kubernetes.Interface
}

// Exec implements PodExec.
func (a APIExec) Exec(ctx context.Context, ns, pod, container string, cmd []string) (ExecResult, error) {
	req := a.Client.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: container, Command: cmd, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(a.Config, "GET", req.URL().String())
	if err != nil {
		return ExecResult{}, err
	}
	spdy, err := remotecommand.NewSPDYExecutor(a.Config, "POST", req.URL())
	if err != nil {
		return ExecResult{}, err
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return ExecResult{}, err
	}
	var out, errb bytes.Buffer
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &out, Stderr: &errb})
	res := ExecResult{Stdout: out.String(), Stderr: errb.String()}
	var code utilexec.CodeExitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &code):
		res.ExitCode = code.ExitStatus()
		// runc's "exec: not found" comes back as 126/127 or in the error text
		res.NotFound = res.ExitCode == 127 || (res.ExitCode == 126 && strings.Contains(res.Stderr+err.Error(), "not found"))
		return res, nil
	case strings.Contains(err.Error(), "executable file not found") || strings.Contains(err.Error(), "no such file or directory"):
		res.NotFound, res.ExitCode = true, 127
		return res, nil
	}
	return res, err
}
