package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/net/idna"

	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/internal/certs"
)

type tlsFlags struct {
	cn    string
	sans  []string
	days  int
	out   string
	force bool
}

func newTLSCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "tls", Short: g.t(helpTLS)}
	f := &tlsFlags{}
	cert := &cobra.Command{
		Use:   "cert --cn NAME -o DIR",
		Short: g.t(helpTLSCert),
		Long:  g.t(helpTLSCertLong),
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runTLSCert(g.deps(), f)
		},
	}
	cert.Flags().StringVar(&f.cn, "cn", "", g.t(flagCN))
	cert.Flags().StringSliceVar(&f.sans, "san", nil, g.t(flagSAN))
	cert.Flags().IntVar(&f.days, "days", 365, g.t(flagDays))
	cert.Flags().StringVarP(&f.out, "output", "o", ".", g.t(flagCertDir))
	cert.Flags().BoolVar(&f.force, "force", false, g.t(flagTLSForce))
	cmd.AddCommand(cert)
	return cmd
}

// runTLSCert writes a self-signed certificate and its key into f.out,
// keeping files that exist unless --force.
func runTLSCert(d deps, f *tlsFlags) error {
	cn, sans, err := certNames(d, f.cn, f.sans)
	if err != nil {
		return err
	}
	if f.days < 1 {
		return usageErrorf("--days %d: %s", f.days, d.t(msgWantNumber))
	}
	keyPath, crtPath := filepath.Join(f.out, "tls.key"), filepath.Join(f.out, "tls.crt")
	if !f.force {
		for _, p := range []string{keyPath, crtPath} {
			if _, err := os.Stat(p); err == nil {
				return i18n.Errorf(msgTLSExists, p).WithFix(fixTLSExists)
			}
		}
	}
	key, crt, err := certs.SelfSigned(certs.Options{CommonName: cn, SANs: sans, Days: f.days})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, key, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(crtPath, crt, 0o644); err != nil {
		return err
	}
	if cn != f.cn {
		fmt.Fprintln(d.Out, d.t(msgTLSPunycode, f.cn, cn))
	}
	fmt.Fprintln(d.Out, d.t(msgTLSWritten, keyPath, crtPath, cn, f.days))
	fmt.Fprintf(d.Out, "  kubectl create secret tls tls-secret --cert=%s --key=%s\n", crtPath, keyPath)
	return nil
}

// certNames checks the certificate's names as a client will match them: a
// host name or an IP, no spaces, no empty entries; an internationalised
// name (한국.kr) becomes its punycode form (xn--3e0b707e.kr), which is what
// goes on the wire and in a certificate.
func certNames(d deps, cn string, sans []string) (string, []string, error) {
	if strings.TrimSpace(cn) == "" {
		return "", nil, usageErrorf("--cn: %s", d.t(msgTLSNeedCN))
	}
	name := func(flag, n string) (string, error) {
		n = strings.TrimSpace(n)
		if n == "" {
			return "", usageErrorf("%s: %s", flag, d.t(msgTLSEmptyName))
		}
		if net.ParseIP(n) != nil {
			return n, nil
		}
		ascii, err := idna.Lookup.ToASCII(strings.TrimPrefix(n, "*."))
		if err != nil || strings.ContainsAny(n, " \t/:") {
			return "", usageErrorf("%s %q: %s", flag, n, d.t(msgTLSBadName))
		}
		if strings.HasPrefix(n, "*.") {
			ascii = "*." + ascii
		}
		return ascii, nil
	}
	cn, err := name("--cn", cn)
	if err != nil {
		return "", nil, err
	}
	var out []string
	for _, s := range sans {
		n, err := name("--san", s)
		if err != nil {
			return "", nil, err
		}
		out = append(out, n)
	}
	return cn, out, nil
}

var (
	flagTLSForce    = i18n.M("flag.tls-force", "overwrite tls.key and tls.crt if they exist", "tls.key 와 tls.crt 가 있으면 덮어씀")
	msgTLSExists    = i18n.M("tls.exists", "%s already exists (kept)", "%s 가 이미 있습니다 (그대로 둡니다)")
	fixTLSExists    = i18n.M("tls.exists.fix", "choose another directory with -o, or replace it with --force", "-o 로 다른 디렉터리를 고르거나, --force 로 바꾸세요")
	msgTLSNeedCN    = i18n.M("tls.need-cn", "the certificate needs a name, e.g. --cn kube-book.com", "인증서 이름이 필요합니다. 예: --cn kube-book.com")
	msgTLSEmptyName = i18n.M("tls.empty-name", "an empty name (check the commas)", "빈 이름이 있습니다 (쉼표를 확인하세요)")
	msgTLSBadName   = i18n.M("tls.bad-name", "not a host name or an IP address (no spaces, no scheme or path: e.g. kube-book.com)", "호스트 이름이나 IP 주소가 아닙니다 (공백, 스킴, 경로 없이. 예: kube-book.com)")
	msgTLSPunycode  = i18n.M("tls.punycode", "%s is written in the certificate as %s (punycode, what clients send)", "%s 는 인증서에 %s 로 씁니다 (퓨니코드, 클라이언트가 보내는 형태)")
)
