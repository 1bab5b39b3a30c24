// Package runtime drives the container runtime the lab's nodes run on
// (docker, podman or nerdctl) through its CLI, as kind does, and reads what
// it says about the lab's node containers. It is shared by package cluster
// and the doctor; front ends reach it only through them.
package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"

	"github.com/labctl/labctl/i18n"
)

// Names are the container runtimes kind can run nodes on, in the order
// they are tried when none is named.
// Sentinels a front end recognises (errors.Is); package cluster re-exports them.
var (
	// ErrRuntime: no container runtime, or it does not answer.
	ErrRuntime = errors.New("container runtime unreachable")
	// ErrRuntimeDown marks errors about a container runtime that does not answer.
	ErrRuntimeDown = errors.New("container runtime down")
)

var Names = []string{"docker", "podman", "nerdctl"}

// Runtime is the container runtime the lab's nodes run on, driven through
// its CLI (the same way kind drives it).
type Runtime struct {
	// Name is docker, podman or nerdctl.
	Name string
	// Bin is the executable; usually Name.
	Bin string
	// Exec runs the CLI instead of Bin when set (tests).
	Exec func(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) error
}

// EngineInfo is what labctl needs to know about the runtime's engine.
type EngineInfo struct {
	Version       string
	CgroupVersion int // 1 or 2; 0 when unknown
	MemTotal      int64
	CPUs          int
	OS            string // e.g. "Docker Desktop", "Debian GNU/Linux 12"
}

// Detect picks the runtime: the explicit name, LABCTL_RUNTIME,
// KIND_EXPERIMENTAL_PROVIDER, then the first of Names found on PATH.
func Detect(explicit string) (Runtime, error) {
	name := explicit
	for _, env := range []string{"LABCTL_RUNTIME", "KIND_EXPERIMENTAL_PROVIDER"} {
		if name == "" {
			name = os.Getenv(env)
		}
	}
	if name != "" {
		if !valid(name) {
			return Runtime{}, i18n.Errorf(msgUnknownRuntime, name, strings.Join(Names, ", "))
		}
		if _, err := exec.LookPath(name); err != nil {
			// Asked for by name: say that one is missing, not "install Docker".
			return Runtime{}, i18n.Errorf(msgRuntimeMissing, name).Marked(ErrRuntime).WithFix(fixRuntimeMissing)
		}
		return New(name), nil
	}
	for _, n := range Names {
		if _, err := exec.LookPath(n); err == nil {
			return New(n), nil
		}
	}
	return Runtime{}, i18n.Errorf(msgNoRuntime).Marked(ErrRuntime).WithFix(fixNoRuntime)
}

func valid(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// New returns the runtime driven by the CLI called name.
func New(name string) Runtime { return Runtime{Name: name, Bin: name} }

// ProviderOption tells kind's library which runtime to use.
func (r Runtime) ProviderOption() kindcluster.ProviderOption {
	switch r.Name {
	case "podman":
		return kindcluster.ProviderWithPodman()
	case "nerdctl":
		return kindcluster.ProviderWithNerdctl(r.Bin)
	}
	return kindcluster.ProviderWithDocker()
}

func (r Runtime) run(ctx context.Context, stdin io.Reader, stdout io.Writer, args ...string) error {
	var stderr bytes.Buffer
	var err error
	if r.Exec != nil {
		err = r.Exec(ctx, stdin, stdout, &stderr, args...)
	} else {
		cmd := exec.CommandContext(ctx, r.Bin, args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, &stderr
		cmd.WaitDelay = 5 * time.Second
		err = cmd.Run()
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return fmt.Errorf("%s %s: %w", r.Bin, strings.Join(args, " "), err)
		}
		return fmt.Errorf("%s %s: %s", r.Bin, strings.Join(args, " "), msg)
	}
	return nil
}

// Output runs the runtime's CLI with args and returns what it printed.
func (r Runtime) Output(ctx context.Context, args ...string) ([]byte, error) {
	var out bytes.Buffer
	err := r.run(ctx, nil, &out, args...)
	return out.Bytes(), err
}

// Info asks the runtime's engine about itself. An engine that does not answer
// within 20 seconds is treated as unreachable, with the fix for each OS.
func (r Runtime) Info(ctx context.Context) (EngineInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	args := []string{"info", "--format", "{{json .}}"}
	if r.Name == "podman" {
		args = []string{"info", "--format", "json"}
	}
	out, err := r.Output(ctx, args...)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return EngineInfo{}, i18n.Errorf(msgNoRuntime).Marked(ErrRuntime).WithFix(fixNoRuntime)
		}
		e := i18n.Errorf(MsgDown, r.Name).Marked(ErrRuntime).Wrap(err)
		if strings.Contains(err.Error(), "permission denied") {
			return EngineInfo{}, e.WithFix(fixRuntimePermission)
		}
		return EngineInfo{}, e.WithFix(FixDown)
	}
	info, err := parseInfo(r.Name, out)
	if err != nil {
		return EngineInfo{}, fmt.Errorf("read %s info: %w", r.Name, err)
	}
	return info, nil
}

func parseInfo(runtime string, out []byte) (EngineInfo, error) {
	if runtime == "podman" {
		var p struct {
			Host struct {
				CgroupVersion string `json:"cgroupVersion"`
				MemTotal      int64  `json:"memTotal"`
				CPUs          int    `json:"cpus"`
				Distribution  struct {
					Distribution string `json:"distribution"`
					Version      string `json:"version"`
				} `json:"distribution"`
			} `json:"host"`
			Version struct {
				Version string `json:"Version"`
			} `json:"version"`
		}
		if err := json.Unmarshal(out, &p); err != nil {
			return EngineInfo{}, err
		}
		cg, _ := strconv.Atoi(strings.TrimPrefix(p.Host.CgroupVersion, "v"))
		return EngineInfo{Version: p.Version.Version, CgroupVersion: cg, MemTotal: p.Host.MemTotal, CPUs: p.Host.CPUs,
			OS: strings.TrimSpace(p.Host.Distribution.Distribution + " " + p.Host.Distribution.Version)}, nil
	}
	var d struct {
		ServerVersion   string
		CgroupVersion   string
		MemTotal        int64
		NCPU            int
		OperatingSystem string
		ServerErrors    []string
	}
	if err := json.Unmarshal(out, &d); err != nil {
		return EngineInfo{}, err
	}
	if d.ServerVersion == "" && len(d.ServerErrors) > 0 {
		return EngineInfo{}, errors.New(strings.Join(d.ServerErrors, "; "))
	}
	cg, _ := strconv.Atoi(d.CgroupVersion)
	return EngineInfo{Version: d.ServerVersion, CgroupVersion: cg, MemTotal: d.MemTotal, CPUs: d.NCPU, OS: d.OperatingSystem}, nil
}

// ImageID returns the local image ID of ref, or "" when the engine does not
// have it.
func (r Runtime) ImageID(ctx context.Context, ref string) (string, error) {
	out, err := r.Output(ctx, "image", "inspect", "--format", "{{.Id}}", ref)
	if err != nil {
		s := strings.ToLower(err.Error())
		if strings.Contains(s, "no such image") || strings.Contains(s, "not found") || strings.Contains(s, "image not known") {
			return "", nil
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Pull pulls ref.
func (r Runtime) Pull(ctx context.Context, ref string) error {
	_, err := r.Output(ctx, "pull", ref)
	return err
}

// Save writes an image archive of refs to w.
func (r Runtime) Save(ctx context.Context, w io.Writer, refs ...string) error {
	return r.run(ctx, nil, w, append([]string{"save"}, refs...)...)
}

// Load reads an image archive into the engine.
func (r Runtime) Load(ctx context.Context, rd io.Reader) error {
	return r.run(ctx, rd, io.Discard, "load")
}

// Tag gives src the name dst.
func (r Runtime) Tag(ctx context.Context, src, dst string) error {
	_, err := r.Output(ctx, "tag", src, dst)
	return err
}

// NetworkSubnets returns the subnets of a runtime network (kind's "kind").
func (r Runtime) NetworkSubnets(ctx context.Context, network string) ([]netip.Prefix, error) {
	out, err := r.Output(ctx, "network", "inspect", network)
	if err != nil {
		return nil, err
	}
	return parseSubnets(out)
}

// parseSubnets reads `network inspect` output of docker/nerdctl (IPAM.Config)
// and podman (subnets).
func parseSubnets(out []byte) ([]netip.Prefix, error) {
	var nets []struct {
		IPAM struct {
			Config []struct {
				Subnet string
			}
		}
		Subnets []struct {
			Subnet string `json:"subnet"`
		} `json:"subnets"`
	}
	if err := json.Unmarshal(out, &nets); err != nil {
		return nil, err
	}
	var ps []netip.Prefix
	for _, n := range nets {
		var raw []string
		for _, c := range n.IPAM.Config {
			raw = append(raw, c.Subnet)
		}
		for _, s := range n.Subnets {
			raw = append(raw, s.Subnet)
		}
		for _, s := range raw {
			if s == "" {
				continue
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("subnet %q: %w", s, err)
			}
			ps = append(ps, p.Masked())
		}
	}
	return ps, nil
}

// RemoveNetworkIfUnused deletes the network kind created once no container
// is attached to it any more (kind itself never removes it); a network other
// clusters still use is left alone.
func (r Runtime) RemoveNetworkIfUnused(ctx context.Context, network string) {
	out, err := r.Output(ctx, "network", "inspect", network, "--format", "{{len .Containers}}")
	if err != nil || strings.TrimSpace(string(out)) != "0" {
		return
	}
	_, _ = r.Output(ctx, "network", "rm", network)
}

// ClusterExists reports whether kind has a cluster called name.
func (r Runtime) ClusterExists(name string) (bool, error) {
	names, err := kindcluster.NewProvider(r.ProviderOption()).List()
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == name {
			return true, nil
		}
	}
	return false, nil
}
