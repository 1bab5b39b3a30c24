package cluster

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeDockerScript plays the docker CLI for labctl's Runtime and for kind's
// library alike (kind runs `docker` from PATH). Its state is files in
// $FAKEDOCKER_DIR: nodes ("name state role ip" a line), outside (the
// outside server's "name state", when there is one), nodeimages (images
// the nodes already have, by ID "sha256:new"), admin.conf (kubeadm's
// kubeconfig in the control-plane), apiport (the API server's host port,
// default 6443). Every call is appended to log.
const fakeDockerScript = `#!/bin/sh
d="$FAKEDOCKER_DIR"
echo "$*" >> "$d/log"
case "$1" in
info) echo '{"ServerVersion":"27.0.0","CgroupVersion":"2","MemTotal":8000000000,"NCPU":2,"OperatingSystem":"fake"}' ;;
ps)
  case "$*" in
  *"--filter label=io.x-k8s.kind.cluster --format"*) [ -s "$d/nodes" ] && echo lab ;;
  *"--filter label=io.x-k8s.kind.cluster="*) awk '{print $1}' "$d/nodes" ;;
  *"-aq --filter label=dev.labctl.outside"*) [ -f "$d/outside" ] && echo outside-id ;;
  *"label=dev.labctl.outside"*) [ -f "$d/outside" ] && cat "$d/outside" ;;
  esac
  exit 0 ;;
inspect)
  fmt="$3"; shift 3
  case "$fmt" in
  *State.Status*) for n in "$@"; do awk -v n="$n" '$1==n{printf "/%s\t%s\t%s\t%s \n",$1,$2,$3,$4}' "$d/nodes"; done ;;
  *kind.role*) awk -v n="$1" '$1==n{print $3}' "$d/nodes" ;;
  *desktop.docker.io*) echo ;;
  *6443/tcp*) printf '127.0.0.1\t%s\n' "$(cat "$d/apiport" 2>/dev/null || echo 6443)" ;;
  *) if [ -f "$d/outside" ]; then echo "fc00::5 172.18.0.50 "; else echo "Error: No such object: $1" >&2; exit 1; fi ;;
  esac ;;
stats) shift 4; for n in "$@"; do echo "100MiB / 2GiB"; done ;;
port) case "$3" in 80/tcp) echo "0.0.0.0:8080" ;; 443/tcp) echo "0.0.0.0:8443"; echo "[::]:8443" ;; esac ;;
image)
  case "$5" in *absent*) echo "Error: No such image: $5" >&2; exit 1 ;; esac
  echo "sha256:new" ;;
network)
  case "$*" in
  *"len .Containers"*) echo 0 ;;
  "network inspect"*) echo '[{"IPAM":{"Config":[{"Subnet":"172.18.0.0/16"}]}}]' ;;
  esac ;;
save) echo "ARCHIVE $*" ;;
load) cat > /dev/null ;;
exec)
  shift; [ "$1" = --privileged ] && shift; [ "$1" = -i ] && shift
  node="$1"; shift
  case "$*" in
  "crictl inspecti "*) if grep -qx "$node $3" "$d/nodeimages" 2>/dev/null; then echo '{"status":{"id":"sha256:new"}}'; else exit 1; fi ;;
  "containerd config dump") printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\nsnapshotter = "overlayfs"\n' ;;
  *"images import"*) cat > /dev/null ;;
  "cat /etc/kubernetes/admin.conf") cat "$d/admin.conf" ;;
  esac ;;
rm|start|stop|unpause|run|pull|tag) ;;
*) echo "fake docker: $*" >&2; exit 1 ;;
esac
`

// fakeDocker puts the fake docker first on PATH, with the given node lines,
// and gives labctl a home of its own; it returns the state directory.
func fakeDocker(t *testing.T, nodes ...string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake docker is a shell script")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(fakeDockerScript), 0o755); err != nil {
		t.Fatal(err)
	}
	writeState(t, dir, "nodes", strings.Join(nodes, "\n"))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin"+string(os.PathListSeparator)+"/bin")
	t.Setenv("FAKEDOCKER_DIR", dir)
	t.Setenv("LABCTL_HOME", filepath.Join(dir, "home"))
	t.Setenv("LABCTL_RUNTIME", "")
	t.Setenv("KIND_EXPERIMENTAL_PROVIDER", "")
	t.Setenv("KIND_EXPERIMENTAL_DOCKER_NETWORK", "")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "user-kubeconfig"))
	return dir
}

func writeState(t *testing.T, dir, name, content string) {
	t.Helper()
	if content != "" && !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dockerLog is every docker command the fake ran, a line each.
func dockerLog(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}
