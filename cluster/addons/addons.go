// Package addons describes the add-ons labctl pins and installs into a lab
// cluster (MetalLB, Traefik with the Gateway API CRDs, ingress-nginx): their
// versions, embedded manifests and the images those run. Installing them is
// package cluster's work; front ends read the versions and images here.
package addons

import (
	"github.com/labctl/labctl/apply"
	"github.com/labctl/labctl/assets"
)

// Pinned versions.
const (
	MetalLBVersion      = "v0.15.2"
	IngressNginxVersion = "v1.15.1"
	TraefikVersion      = "v3.6.12"
	// GatewayAPIVersion is the Gateway API release whose standard-channel
	// CRDs labctl installs with Traefik (v3.6 implements Gateway API v1.4).
	GatewayAPIVersion = "v1.4.1"
)

// Addon is one of the pinned add-ons labctl installs.
type Addon struct {
	Name      string // what the student reads: "MetalLB", "ingress-nginx", "Traefik"
	Version   string
	File      string // embedded manifest under assets/addons
	Namespace string
	// Class is the IngressClass an ingress controller serves.
	Class string
	// Workloads are what must be available for the add-on to be healthy.
	Workloads []string // "Deployment/name" or "DaemonSet/name" in Namespace
}

// The add-ons.
var (
	MetalLB = Addon{Name: "MetalLB", Version: MetalLBVersion, File: "metallb/metallb-native.yaml", Namespace: "metallb-system",
		Workloads: []string{"Deployment/controller", "DaemonSet/speaker"}}
	Nginx = Addon{Name: "ingress-nginx", Version: IngressNginxVersion, File: "ingress-nginx/ingress-nginx.yaml", Namespace: "ingress-nginx",
		Class: "nginx", Workloads: []string{"Deployment/ingress-nginx-controller"}}
	Traefik = Addon{Name: "Traefik", Version: TraefikVersion, File: "traefik/traefik.yaml", Namespace: "traefik",
		Class: "traefik", Workloads: []string{"Deployment/traefik"}}
	// GatewayAPI is the Gateway API CRDs (standard channel), applied before
	// Traefik so its Kubernetes Gateway provider finds them when it starts.
	// They stay when labctl switches to ingress-nginx: deleting a CRD deletes
	// every route a student wrote.
	GatewayAPI = Addon{Name: "Gateway API", Version: GatewayAPIVersion, File: "gateway-api/standard-install.yaml"}
)

// Objects decodes the add-on's embedded manifest.
func (a Addon) Objects() ([]apply.Object, error) {
	data, err := assets.Addon(a.File)
	if err != nil {
		return nil, err
	}
	return apply.Decode("assets/addons/"+a.File, data)
}

// Images lists the container images the add-on's manifest runs.
func (a Addon) Images() []string {
	objs, err := a.Objects()
	if err != nil {
		panic(err) // embedded manifests are validated by tests
	}
	return apply.ImagesOf(objs)
}
