package addons

import (
	"strings"
	"testing"
)

// Every pinned add-on's embedded manifest decodes, and those that run
// containers run the pinned version's images.
func TestManifestsDecodeAndRunThePinnedImages(t *testing.T) {
	for _, tt := range []struct {
		a    Addon
		want string // in some image reference; "" for CRDs only
	}{
		{MetalLB, "metallb/controller:" + MetalLBVersion},
		{Nginx, "ingress-nginx/controller:" + IngressNginxVersion},
		{Traefik, "traefik:" + TraefikVersion},
		{GatewayAPI, ""},
	} {
		objs, err := tt.a.Objects()
		if err != nil || len(objs) == 0 {
			t.Errorf("%s: %d objects, %v", tt.a.Name, len(objs), err)
			continue
		}
		imgs := strings.Join(tt.a.Images(), " ")
		if tt.want == "" && imgs != "" || !strings.Contains(imgs, tt.want) {
			t.Errorf("%s runs %q, want an image containing %q", tt.a.Name, imgs, tt.want)
		}
	}
}

func TestUnknownManifestIsAnError(t *testing.T) {
	if _, err := (Addon{Name: "x", File: "nope/nope.yaml"}).Objects(); err == nil {
		t.Fatal("a missing manifest decoded")
	}
}
