package cli

import (
	"context"
	"errors"

	"github.com/labctl/labctl/cluster"
	"github.com/labctl/labctl/cluster/doctor"
	"github.com/labctl/labctl/i18n"
	"github.com/labctl/labctl/labs"
)

// labCluster is what the lifecycle commands ask of the lab: the one place
// cli reaches package cluster's operations (kindCluster), so a test can
// stand in for the runtime and kind.
type labCluster interface {
	Up(ctx context.Context, o cluster.Options, rep cluster.Reporter) (*cluster.Lab, error)
	Stop(ctx context.Context, rep cluster.Reporter) error
	Down(ctx context.Context, rep cluster.Reporter) error
	// Status reads the lab, from the runtime alone when its nodes are
	// stopped; memory also asks the runtime what the nodes use.
	Status(ctx context.Context, memory bool) (cluster.Status, error)
	Doctor(ctx context.Context, httpPort, httpsPort int) []doctor.Finding
	SaveImages(ctx context.Context, refs []string, path string, rep cluster.Reporter) error
	LoadImages(ctx context.Context, path string, refs []string, rep cluster.Reporter) error
}

// kindCluster is labCluster on the real lab: package cluster, for the
// target and in the language of the command line.
type kindCluster struct {
	target  cluster.Target
	lang    i18n.Lang
	library func() (*labs.Library, error)
}

func (k *kindCluster) env(rep cluster.Reporter) cluster.Env {
	return cluster.Env{Lang: k.lang, Reporter: rep, Runtime: k.target.Runtime}
}

// Up side-loads the chapters' images (those the computer has) into the
// nodes their pods can run on.
func (k *kindCluster) Up(ctx context.Context, o cluster.Options, rep cluster.Reporter) (*cluster.Lab, error) {
	if lib, err := k.library(); err == nil {
		o.Images = lib.ImagePlan()
	}
	return cluster.Up(ctx, o, k.env(rep))
}

func (k *kindCluster) Stop(ctx context.Context, rep cluster.Reporter) error {
	return cluster.Stop(ctx, k.target.Name, k.env(rep))
}

func (k *kindCluster) Down(ctx context.Context, rep cluster.Reporter) error {
	return cluster.Down(ctx, k.target.Name, k.env(rep))
}

func (k *kindCluster) Status(ctx context.Context, memory bool) (cluster.Status, error) {
	var st cluster.Status
	var mem int64
	lab, err := cluster.Open(ctx, k.target)
	if err == nil {
		memDone := make(chan struct{})
		go func() { // the runtime's stats take a second: read them meanwhile
			defer close(memDone)
			if memory {
				mem = lab.Memory(ctx)
			}
		}()
		st, err = lab.Status(ctx, k.lang)
		<-memDone
		st.Memory = mem
	}
	if errors.Is(err, cluster.ErrStopped) {
		stopped := err
		if st, err = k.target.StoppedStatus(ctx); err != nil {
			return st, stopped
		}
	}
	return st, err
}

func (k *kindCluster) Doctor(ctx context.Context, httpPort, httpsPort int) []doctor.Finding {
	d := doctor.DefaultDeps(k.lang, k.target.Runtime, k.target.Name)
	d.HTTPPort, d.HTTPSPort = httpPort, httpsPort
	if img := nodeImage(); img != "" {
		d.Image = img
	}
	return doctor.Run(ctx, d)
}

func (k *kindCluster) SaveImages(ctx context.Context, refs []string, path string, rep cluster.Reporter) error {
	return cluster.SaveBundle(ctx, refs, path, k.env(rep))
}

func (k *kindCluster) LoadImages(ctx context.Context, path string, refs []string, rep cluster.Reporter) error {
	return cluster.LoadBundle(ctx, k.target, path, refs, k.env(rep))
}
