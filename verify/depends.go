package verify

import "time"

// What each of labctl's own check kinds depends on (see Dependent).

func (p serviceEndpoints) DependsOn(env *Env) Dependencies {
	d := serviceDeps(env.ns(p.Namespace), p.Service)
	if p.Selectorless {
		d.Objects = append(d.Objects, Endpoints(env.ns(p.Namespace), p.Service))
	}
	return d
}

func (p serviceReachable) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

func (p sessionAffinity) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

func (p servicePorts) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

func (p nodePort) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

func (p loadBalancerIP) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

func (p schedulerDistribution) DependsOn(env *Env) Dependencies {
	return serviceDeps(env.ns(p.Namespace), p.Service)
}

// dnsCacheWindow: CoreDNS's cache keeps an answer for up to its TTL (30 s
// in kubeadm's and kind's Corefile), so a changed Service may be answered
// from the cache that long.
const dnsCacheWindow = 30 * time.Second

func (p dnsRecords) DependsOn(env *Env) Dependencies {
	var d Dependencies
	if name, ns, ok := serviceOf(p.Name); ok {
		d.Objects = append(d.Objects, Service(ns, name))
	}
	d.Objects = append(d.Objects, serviceDeps(env.ns(p.Namespace), p.PodsOf, p.ClusterIPOf).Objects...)
	d.Window = dnsCacheWindow
	return d
}

func (p ingressAssigned) DependsOn(env *Env) Dependencies {
	return Dependencies{Objects: []ObjectRef{Ingress(env.ns(p.Namespace), p.Ingress)}}
}

func (p ingressRoute) DependsOn(env *Env) Dependencies {
	ns := env.ns(p.Namespace)
	d := Dependencies{Objects: []ObjectRef{Ingress(ns, p.Ingress)}}
	for _, c := range p.Cases {
		if c.Service != "" {
			d.Objects = append(d.Objects, Service(ns, c.Service))
		}
	}
	return d
}

func (p tlsCertificate) DependsOn(env *Env) Dependencies {
	ns := env.ns(p.Namespace)
	return Dependencies{Objects: []ObjectRef{Ingress(ns, p.Ingress), Secret(ns, p.Secret)}}
}
