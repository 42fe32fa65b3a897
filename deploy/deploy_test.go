// Package deploy holds the container and Kubernetes deployment files; this
// test keeps them parseable and consistent with each other and with the
// configuration wharf reads. It needs python3 with PyYAML to parse YAML
// (and is skipped without it); no Kubernetes cluster or Docker engine.
package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// manifest is one YAML document, as generic JSON.
type manifest map[string]any

func (m manifest) str(path ...string) string {
	var v any = map[string]any(m)
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

// loadYAML parses every document of every file with python3's yaml module.
func loadYAML(t *testing.T, files []string) map[string][]manifest {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 to parse YAML")
	}
	if err := exec.Command("python3", "-c", "import yaml").Run(); err != nil {
		t.Skip("python3 has no yaml module")
	}
	const script = `import json, sys, yaml
out = {}
for f in sys.argv[1:]:
    with open(f) as fh:
        out[f] = [d for d in yaml.safe_load_all(fh) if d is not None]
json.dump(out, sys.stdout)`
	cmd := exec.Command("python3", append([]string{"-c", script}, files...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("parsing YAML: %v\n%s", err, stderr.String())
	}
	var out map[string][]manifest
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// wharfVariables returns the WHARF_* environment variables wharf's
// configuration and commands read.
func wharfVariables(t *testing.T) map[string]bool {
	t.Helper()
	vars := map[string]bool{}
	re := regexp.MustCompile(`"(WHARF_[A-Z0-9_]+)"`)
	files, _ := filepath.Glob("../cmd/wharf/*.go")
	files = append(files, "../internal/config/config.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			vars[m[1]] = true
		}
	}
	if !vars["WHARF_DATABASE_URL"] {
		t.Fatalf("found no WHARF_DATABASE_URL in wharf's sources: %v", vars)
	}
	return vars
}

func TestKubernetesManifests(t *testing.T) {
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	docs := loadYAML(t, files)
	vars := wharfVariables(t)
	byKind := map[string]map[string]manifest{}
	for _, f := range files {
		if len(docs[f]) == 0 {
			t.Errorf("%s holds no document", f)
		}
		for _, d := range docs[f] {
			kind, name := d.str("kind"), d.str("metadata", "name")
			if d.str("apiVersion") == "" || kind == "" {
				t.Errorf("%s: a document without apiVersion or kind", f)
				continue
			}
			if kind == "Kustomization" {
				continue
			}
			if name == "" {
				t.Errorf("%s: a %s without a name", f, kind)
			}
			if ns := d.str("metadata", "namespace"); kind != "Namespace" && ns != "wharf" {
				t.Errorf("%s: %s %s is in namespace %q, want wharf", f, kind, name, ns)
			}
			if byKind[kind] == nil {
				byKind[kind] = map[string]manifest{}
			}
			byKind[kind][name] = d
		}
	}
	for _, k := range []string{"Namespace", "Secret", "ConfigMap", "Deployment", "Service", "Ingress", "PodDisruptionBudget", "Job"} {
		if len(byKind[k]) == 0 {
			t.Errorf("no %s", k)
		}
	}

	// Every variable the ConfigMap and the env Secret set is one wharf reads.
	env := map[string]string{}
	for _, src := range []struct {
		kind, name, field string
	}{{"ConfigMap", "wharf", "data"}, {"Secret", "wharf-env", "stringData"}} {
		d := byKind[src.kind][src.name]
		data, _ := d[src.field].(map[string]any)
		if len(data) == 0 {
			t.Errorf("%s %s has no %s", src.kind, src.name, src.field)
		}
		for k, v := range data {
			if !vars[k] {
				t.Errorf("%s %s sets %s, which wharf does not read", src.kind, src.name, k)
			}
			s, ok := v.(string)
			if !ok {
				t.Errorf("%s %s: %s is not a string (quote it)", src.kind, src.name, k)
			}
			env[k] = s
		}
	}
	if !strings.HasSuffix(env["WHARF_ADDR"], ":5000") || !strings.HasPrefix(env["WHARF_BLOB_STORE"], "s3://") || env["WHARF_SECRET_KEY_FILE"] != "/etc/wharf/secret.key" {
		t.Errorf("ConfigMap: WHARF_ADDR %q, WHARF_BLOB_STORE %q, WHARF_SECRET_KEY_FILE %q", env["WHARF_ADDR"], env["WHARF_BLOB_STORE"], env["WHARF_SECRET_KEY_FILE"])
	}

	// The pods of the Deployment and the Job: what they reference exists,
	// and they run as the image's non-root user on a read-only root.
	b, _ := json.Marshal(byKind["Deployment"]["wharf"])
	var dep struct {
		Spec struct {
			Replicas int
			Template podTemplate
		}
	}
	json.Unmarshal(b, &dep)
	if dep.Spec.Replicas != 3 {
		t.Errorf("Deployment: %d replicas, want 3", dep.Spec.Replicas)
	}
	b, _ = json.Marshal(byKind["Job"]["wharf-migrate"])
	var job struct {
		Spec struct{ Template podTemplate }
	}
	json.Unmarshal(b, &job)
	for what, pt := range map[string]podTemplate{"Deployment": dep.Spec.Template, "Job": job.Spec.Template} {
		ps := pt.Spec
		if ps.SecurityContext.RunAsUser != 65532 || !ps.SecurityContext.RunAsNonRoot {
			t.Errorf("%s: pod securityContext %+v", what, ps.SecurityContext)
		}
		if len(ps.Containers) != 1 {
			t.Fatalf("%s: %d containers", what, len(ps.Containers))
		}
		c := ps.Containers[0]
		if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
			t.Errorf("%s: container securityContext %+v", what, c.SecurityContext)
		}
		for _, ef := range c.EnvFrom {
			switch {
			case ef.ConfigMapRef != nil && byKind["ConfigMap"][ef.ConfigMapRef.Name] == nil:
				t.Errorf("%s: envFrom names ConfigMap %s, which is not defined", what, ef.ConfigMapRef.Name)
			case ef.SecretRef != nil && byKind["Secret"][ef.SecretRef.Name] == nil:
				t.Errorf("%s: envFrom names Secret %s, which is not defined", what, ef.SecretRef.Name)
			}
		}
		mounts := map[string]string{}
		for _, m := range c.VolumeMounts {
			mounts[m.Name] = m.MountPath
		}
		for _, v := range ps.Volumes {
			if _, ok := mounts[v.Name]; !ok {
				t.Errorf("%s: volume %s is not mounted", what, v.Name)
			}
			if v.Secret != nil {
				s := byKind["Secret"][v.Secret.SecretName]
				data, _ := s["stringData"].(map[string]any)
				for _, it := range v.Secret.Items {
					if _, ok := data[it.Key]; !ok {
						t.Errorf("%s: volume %s wants key %s of Secret %s, which has none", what, v.Name, it.Key, v.Secret.SecretName)
					}
					if p := filepath.Join(mounts[v.Name], it.Path); p != env["WHARF_SECRET_KEY_FILE"] {
						t.Errorf("%s: the key file is mounted at %s, WHARF_SECRET_KEY_FILE says %s", what, p, env["WHARF_SECRET_KEY_FILE"])
					}
				}
			}
		}
		if what == "Deployment" {
			if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" {
				t.Errorf("Deployment: readiness %q, liveness %q", c.ReadinessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path)
			}
			if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 5000 {
				t.Errorf("Deployment: ports %+v", c.Ports)
			}
			if mounts["data"] != env["WHARF_DATA_DIR"] {
				t.Errorf("Deployment: data volume at %s, WHARF_DATA_DIR %s", mounts["data"], env["WHARF_DATA_DIR"])
			}
		}
		if what == "Job" && (len(c.Command) != 1 || c.Command[0] != "/wharf" || len(c.Args) < 2 || c.Args[0] != "admin" || c.Args[1] != "migrate") {
			t.Errorf("Job: runs %v %v, want /wharf admin migrate", c.Command, c.Args)
		}
	}

	// The Ingress lets layers of any size through, to the Service's port.
	ing := byKind["Ingress"]["wharf"]
	if ing.str("metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size") != "0" {
		t.Error("Ingress: proxy-body-size is not 0 (unlimited)")
	}
	if byKind["Service"]["wharf"] == nil || byKind["PodDisruptionBudget"]["wharf"] == nil {
		t.Error("no Service or PodDisruptionBudget named wharf")
	}

	// kustomization.yaml lists every manifest but the one-shot Job.
	var kust manifest
	for _, d := range docs[filepath.Join("kubernetes", "kustomization.yaml")] {
		kust = d
	}
	var listed []string
	res, _ := kust["resources"].([]any)
	for _, r := range res {
		listed = append(listed, r.(string))
	}
	for _, f := range files {
		base := filepath.Base(f)
		want := base != "kustomization.yaml" && base != "migrate-job.yaml"
		if slices.Contains(listed, base) != want {
			t.Errorf("kustomization.yaml: %s listed %v, want %v", base, !want, want)
		}
	}
}

// TestKustomize renders kustomization.yaml with kubectl's built-in
// kustomize, when kubectl is installed (no cluster is needed).
func TestKustomize(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("no kubectl")
	}
	out, err := exec.Command("kubectl", "kustomize", "kubernetes").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, out)
	}
	var kinds []string
	for _, line := range strings.Split(string(out), "\n") {
		if k, ok := strings.CutPrefix(line, "kind: "); ok {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	want := []string{"ConfigMap", "Deployment", "Ingress", "Namespace", "PodDisruptionBudget", "Secret", "Secret", "Service"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kubectl kustomize renders %v, want %v", kinds, want)
	}
}

type podTemplate struct {
	Spec struct {
		SecurityContext struct {
			RunAsNonRoot bool
			RunAsUser    int
		}
		Containers []struct {
			Command, Args []string
			EnvFrom       []struct {
				ConfigMapRef *struct{ Name string }
				SecretRef    *struct{ Name string }
			}
			Ports []struct {
				ContainerPort int
			}
			ReadinessProbe, LivenessProbe struct {
				HTTPGet struct{ Path string }
			}
			SecurityContext struct {
				ReadOnlyRootFilesystem   bool
				AllowPrivilegeEscalation *bool
			}
			VolumeMounts []struct {
				Name, MountPath string
			}
		}
		Volumes []struct {
			Name   string
			Secret *struct {
				SecretName string
				Items      []struct{ Key, Path string }
			}
		}
	}
}

// TestDockerfile checks the image's promises that deploy/kubernetes and
// deploy/README.md rely on.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{
		"FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build",
		`CGO_ENABLED=0`, `go build -trimpath -ldflags "-s -w"`,
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"USER 65532:65532", "EXPOSE 5000", `VOLUME ["/data"]`, `ENTRYPOINT ["/wharf", "serve"]`,
		"WHARF_ADDR=0.0.0.0:5000", "WHARF_DATA_DIR=/data",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile does not contain %q", want)
		}
	}
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing the build embeds may be ignored.
	for _, line := range strings.Split(string(ignore), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, needed := range []string{"go.mod", "go.sum", "cmd", "internal", "web"} {
			if strings.TrimPrefix(line, "/") == needed {
				t.Errorf(".dockerignore leaves out %s, which the build needs", needed)
			}
		}
	}
}
