package verify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/i18n"
)

// Cluster network (ch15). The student records what they found under the
// pods in a ConfigMap of answers; each check reads the same facts live from
// the nodes (through labctl's node shells) and the API, and names every
// answer that differs, without giving the right value away.

// answerSheet is a ConfigMap of answers, compared with facts.
type answerSheet struct {
	name     string
	data     map[string]string
	mistakes []string
}

// readAnswers fetches the ConfigMap; the outcome says it is missing.
func readAnswers(ctx context.Context, env *Env, ns, name string) (*answerSheet, *Outcome) {
	cm, err := env.Client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := Missing(msgAnswersMissing, ns+"/"+name)
		return nil, &o
	}
	if err != nil {
		o := Errored(err)
		return nil, &o
	}
	data := map[string]string{}
	for k, v := range cm.Data {
		data[k] = strings.TrimSpace(v)
	}
	return &answerSheet{name: ns + "/" + name, data: data}, nil
}

func (a *answerSheet) wrong(env *Env, m i18n.Message, args ...any) {
	a.mistakes = append(a.mistakes, env.t(m, args...))
}

// value returns the answer under key, noting when there is none.
func (a *answerSheet) value(env *Env, key string) (string, bool) {
	v, ok := a.data[key]
	if !ok || v == "" {
		a.wrong(env, mistakeNoKey, key)
		return "", false
	}
	return v, true
}

// addr compares an address answer; bad is the mistake when it differs.
func (a *answerSheet) addr(env *Env, key string, want netip.Addr, bad i18n.Message, args ...any) {
	v, ok := a.value(env, key)
	if !ok {
		return
	}
	got, err := netip.ParseAddr(strings.Split(v, "/")[0])
	if err != nil || !got.Is4() {
		a.wrong(env, mistakeNotAddr, key, v)
		return
	}
	if got != want {
		a.wrong(env, bad, append([]any{v}, args...)...)
	}
}

// prefix compares a subnet answer.
func (a *answerSheet) prefix(env *Env, key string, want netip.Prefix, bad i18n.Message, args ...any) {
	v, ok := a.value(env, key)
	if !ok {
		return
	}
	got, err := netip.ParsePrefix(v)
	if err != nil {
		a.wrong(env, mistakeNotPrefix, key, v)
		return
	}
	if got.Masked() != want.Masked() {
		a.wrong(env, bad, append([]any{v}, args...)...)
	}
}

// verdict is Missing with every mistake named, or nil when there is none.
// Answers in a ConfigMap do not change by waiting.
func (a *answerSheet) verdict(env *Env) *Outcome {
	if len(a.mistakes) == 0 {
		return nil
	}
	o := Missing(msgAnswersWrong, a.name, strings.Join(a.mistakes, "; "))
	return &o
}

// answersAt names the ConfigMap that holds a student's answers, and the
// Pod they are about when there is one; the check kinds that judge answers
// embed it.
type answersAt struct {
	Pod       string `yaml:"pod"`
	ConfigMap string `yaml:"configMap"`
	Namespace string `yaml:"namespace"`
}

// validate says which of the fields a kind needs are missing.
func (a answersAt) validate(needPod bool) error {
	switch {
	case needPod && (a.Pod == "" || a.ConfigMap == ""):
		return errors.New("params.pod and params.configMap are required")
	case !needPod && a.Pod != "":
		return errors.New("params.pod is not a parameter of this check")
	case a.ConfigMap == "":
		return errors.New("params.configMap is required")
	}
	return nil
}

// DependsOn: the answers, and the Pod when there is one.
func (a answersAt) DependsOn(env *Env) Dependencies {
	ns := env.ns(a.Namespace)
	d := Dependencies{Objects: []ObjectRef{{Kind: "ConfigMap", Namespace: ns, Name: a.ConfigMap}}}
	if a.Pod != "" {
		d.Objects = append(d.Objects, ObjectRef{Kind: "Pod", Namespace: ns, Name: a.Pod})
	}
	return d
}

// read fetches the answers.
func (a answersAt) read(ctx context.Context, env *Env) (*answerSheet, *Outcome) {
	return readAnswers(ctx, env, env.ns(a.Namespace), a.ConfigMap)
}

// nodeNet is one node's place on the kind network.
type nodeNet struct {
	Name    string
	Addr    netip.Prefix // eth0's IPv4 address and prefix
	Gateway netip.Addr   // default route
}

// readNodeNets reads eth0 and the default route in every node.
func readNodeNets(ctx context.Context, env *Env) ([]nodeNet, error) {
	if env.Node == nil {
		return nil, i18n.Errorf(msgNoNodeRunner)
	}
	list, err := env.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	if len(list.Items) == 0 {
		return nil, i18n.Errorf(msgNoNodes)
	}
	var out []nodeNet
	for _, n := range list.Items {
		const cmd = "ip -4 -o addr show dev eth0; ip -4 route show default"
		text, err := env.Node.RunNode(ctx, n.Name, cmd)
		if err != nil {
			return nil, err
		}
		nn, err := parseNodeNet(n.Name, text)
		if err != nil {
			return nil, i18n.Errorf(msgNodeRead, cmd, n.Name, err.Error())
		}
		out = append(out, nn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// parseNodeNet reads `ip -4 -o addr show dev eth0` ("2: eth0 inet
// 172.18.0.3/16 brd ...") and `ip -4 route show default` ("default via
// 172.18.0.1 dev eth0").
func parseNodeNet(name, text string) (nodeNet, error) {
	nn := nodeNet{Name: name}
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		for i := 0; i+1 < len(f); i++ {
			switch {
			case f[i] == "inet" && !nn.Addr.IsValid():
				if p, err := netip.ParsePrefix(f[i+1]); err == nil {
					nn.Addr = p
				}
			case f[0] == "default" && f[i] == "via" && !nn.Gateway.IsValid():
				if a, err := netip.ParseAddr(f[i+1]); err == nil {
					nn.Gateway = a
				}
			}
		}
	}
	if !nn.Addr.IsValid() || !nn.Gateway.IsValid() {
		return nn, fmt.Errorf("no IPv4 address or default route in %q", text)
	}
	return nn, nil
}

// DockerNetworkFacts are the answers of the docker-network step, read from
// the nodes: subnet, gateway, and each node's address.
func DockerNetworkFacts(ctx context.Context, env *Env) (map[string]string, error) {
	nets, err := readNodeNets(ctx, env)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"subnet": nets[0].Addr.Masked().String(), "gateway": nets[0].Gateway.String()}
	for _, n := range nets {
		out[n.Name] = n.Addr.Addr().String()
	}
	return out, nil
}

// dockerNetwork proves the student found the cluster's docker network: the
// subnet, its gateway (the bridge on the host) and every node's address.
type dockerNetwork struct {
	answersAt `yaml:",inline"`
}

func init() {
	register("dockerNetwork", func(p dockerNetwork) (Checker, error) {
		return p, p.validate(false)
	})
}

func (p dockerNetwork) Check(ctx context.Context, env *Env) Outcome {
	a, o := p.read(ctx, env)
	if o != nil {
		return *o
	}
	nets, err := readNodeNets(ctx, env)
	if err != nil {
		return Errored(err)
	}
	a.prefix(env, "subnet", nets[0].Addr, mistakeSubnet)
	a.addr(env, "gateway", nets[0].Gateway, mistakeGateway)
	names := map[string]bool{}
	var all []string
	for _, n := range nets {
		names[n.Name] = true
		all = append(all, n.Name)
		a.addr(env, n.Name, n.Addr.Addr(), mistakeNodeAddr, n.Name, n.Name)
	}
	for _, k := range sortedKeys(a.data) {
		if k != "subnet" && k != "gateway" && !names[k] {
			a.wrong(env, mistakeNotNode, k, strings.Join(all, ", "))
		}
	}
	if o := a.verdict(env); o != nil {
		return *o
	}
	var ev []string
	for _, n := range nets {
		ev = append(ev, fmt.Sprintf("%s eth0 %s, default via %s", n.Name, n.Addr, n.Gateway))
	}
	return Passed(msgAnswersOK, a.name, fmt.Sprintf("subnet %s, gateway %s, %d nodes", nets[0].Addr.Masked(), nets[0].Gateway, len(nets))).With(ev...)
}

// sandbox is a pod's sandbox as the node's container runtime shows it.
type sandbox struct {
	Node       string
	ID         string
	Containers int
}

// readSandbox asks the pod's node's runtime (crictl) for its ready sandbox
// and the containers running in it.
func readSandbox(ctx context.Context, env *Env, pod *corev1.Pod) (*sandbox, error) {
	if env.Node == nil {
		return nil, i18n.Errorf(msgNoNodeRunner)
	}
	node := pod.Spec.NodeName
	cmd := "crictl pods --namespace " + shQuote(pod.Namespace) + " --name " + shQuote("^"+pod.Name+"$") + " --state ready -q"
	out, err := env.Node.RunNode(ctx, node, cmd)
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(out)
	if len(ids) == 0 {
		return nil, nil
	}
	sb := &sandbox{Node: node, ID: ids[0]}
	out, err = env.Node.RunNode(ctx, node, "crictl ps --pod "+shQuote(sb.ID)+" --state running -q")
	if err != nil {
		return nil, err
	}
	sb.Containers = len(strings.Fields(out))
	return sb, nil
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// SandboxFacts are the answers of the sandbox step for a pod: its node,
// its sandbox ID (the first 13 characters, as crictl pods prints it) and
// how many containers run in the sandbox.
func SandboxFacts(ctx context.Context, env *Env, ns, pod string) (map[string]string, error) {
	p, err := env.Client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	sb, err := readSandbox(ctx, env, p)
	if err != nil {
		return nil, err
	}
	if sb == nil {
		return nil, i18n.Errorf(msgNoSandbox, p.Spec.NodeName, ns+"/"+pod)
	}
	return map[string]string{"node": sb.Node, "sandbox": sb.ID[:min(13, len(sb.ID))], "containers": strconv.Itoa(sb.Containers)}, nil
}

// podSandbox proves the student found a pod's sandbox on its node: the
// node, the sandbox ID and the number of containers joined to it.
type podSandbox struct {
	answersAt `yaml:",inline"`
}

func init() {
	register("podSandbox", func(p podSandbox) (Checker, error) {
		return p, p.validate(true)
	})
}

func (p podSandbox) Check(ctx context.Context, env *Env) Outcome {
	ns := env.ns(p.Namespace)
	pod, o := runningPod(ctx, env, ns, p.Pod)
	if o != nil {
		return *o
	}
	a, o := p.read(ctx, env)
	if o != nil {
		return *o
	}
	sb, err := readSandbox(ctx, env, pod)
	if err != nil {
		return Errored(err)
	}
	if sb == nil {
		return Failed(msgNoSandbox, pod.Spec.NodeName, ns+"/"+p.Pod)
	}
	if v, ok := a.value(env, "node"); ok && v != sb.Node {
		a.wrong(env, mistakeNode, p.Pod, v)
	}
	if v, ok := a.value(env, "sandbox"); ok {
		switch {
		case len(v) < 6:
			a.wrong(env, mistakeShortID, v)
		case !strings.HasPrefix(sb.ID, strings.ToLower(v)):
			a.wrong(env, mistakeSandbox, v, p.Pod, p.Pod)
		}
	}
	if v, ok := a.value(env, "containers"); ok && v != strconv.Itoa(sb.Containers) {
		a.wrong(env, mistakeCount, v)
	}
	if o := a.verdict(env); o != nil {
		return *o
	}
	return Passed(msgSandboxOK, p.Pod, sb.ID[:min(13, len(sb.ID))], sb.Node, sb.Containers).
		With(fmt.Sprintf("crictl pods on %s: %s", sb.Node, sb.ID))
}
