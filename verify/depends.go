package verify

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

// CoreDNS's cache may answer a changed Service from before the change for
// up to its TTL (30 s in kubeadm's and kind's Corefile). The check itself
// compares the answer with what the API says now and marks a failure that
// lags it (Outcome.CatchingUp), so a wrong answer the DNS already gives
// fails within the usual window instead of after the cache's.
func (p dnsRecords) DependsOn(env *Env) Dependencies {
	var d Dependencies
	if name, ns, ok := serviceOf(p.Name); ok {
		d.Objects = append(d.Objects, Service(ns, name))
	}
	d.Objects = append(d.Objects, serviceDeps(env.ns(p.Namespace), p.PodsOf, p.ClusterIPOf).Objects...)
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

// An IngressClass is read straight from the API: nothing lags behind it,
// so a wrong answer fails as soon as it has stayed wrong for SettleGrace.
func (ingressClassDefault) DependsOn(*Env) Dependencies { return Dependencies{} }

// Gateway API objects are read through the dynamic client; a change to one
// counts as routing (Traefik may still serve the old rules for a moment),
// and one its controller has not yet taken up (status.observedGeneration
// behind) as catching up.
func gatewayObject(ns, name string) ObjectRef {
	return ObjectRef{Kind: "Gateway", Resource: gatewayGVR, Namespace: ns, Name: name}
}

func httpRouteObject(ns, name string) ObjectRef {
	return ObjectRef{Kind: "HTTPRoute", Resource: httpRouteGVR, Namespace: ns, Name: name}
}

func (p gatewayProgrammed) DependsOn(env *Env) Dependencies {
	ns, name := p.resolve(env)
	return Dependencies{Objects: []ObjectRef{gatewayObject(ns, name)}}
}

func (p routeAccepted) DependsOn(env *Env) Dependencies {
	gwNS, gw := p.resolve(env)
	return Dependencies{Objects: []ObjectRef{httpRouteObject(env.ns(p.Namespace), p.Route), gatewayObject(gwNS, gw)}}
}

func (p routeTraffic) DependsOn(env *Env) Dependencies {
	ns := env.ns(p.Namespace)
	d := Dependencies{Objects: []ObjectRef{httpRouteObject(ns, p.Route), gatewayObject(labGatewayNamespace, labGatewayName)}}
	for _, c := range p.Cases {
		if c.Service != "" {
			d.Objects = append(d.Objects, serviceDeps(ns, c.Service).Objects...)
		}
	}
	return d
}

func (p routeSplit) DependsOn(env *Env) Dependencies {
	ns := env.ns(p.Namespace)
	d := Dependencies{Objects: []ObjectRef{httpRouteObject(ns, p.Route), gatewayObject(labGatewayNamespace, labGatewayName)}}
	for _, b := range p.Backends {
		d.Objects = append(d.Objects, serviceDeps(ns, b.Service).Objects...)
	}
	return d
}

func (p gatewayTLS) DependsOn(env *Env) Dependencies {
	gwNS, gw := p.resolve(env)
	return Dependencies{Objects: []ObjectRef{gatewayObject(gwNS, gw), Secret(gwNS, p.Secret)}}
}
