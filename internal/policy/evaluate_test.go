package policy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/policy"
)

// The scenarios below follow the IAM User Guide's policy evaluation logic
// (reference_policies_evaluation-logic, …_policy-eval-denyallow,
// …_policy-eval-basics), cross-account evaluation
// (reference_policies_evaluation-logic-cross-account), permissions boundaries
// (access_policies_boundaries) and the NotPrincipal element
// (reference_policies_elements_notprincipal). They go beyond
// testdata/iam-cases, which the casefile package already runs.

const (
	acct      = "123456789012"
	otherAcct = "999999999999"
	alice     = "arn:aws:iam::123456789012:user/alice"
	bob       = "arn:aws:iam::123456789012:user/bob"
	carol     = "arn:aws:iam::999999999999:user/carol"
	rootARN   = "arn:aws:iam::123456789012:root"
	session   = "arn:aws:sts::123456789012:assumed-role/pusher/build-42"
	roleARN   = "arn:aws:iam::123456789012:role/pusher"
	repoARN   = "arn:aws:ecr-public::123456789012:repository/app"
	otherRepo = "arn:aws:ecr-public::123456789012:repository/other"
)

var evalNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// scenario is one request with the policies that apply to it.
type scenario struct {
	name     string
	identity []string
	boundary []string
	session  []string
	scps     []string
	resource string // the repository policy, if any
	caller   string // ARN or "anonymous"
	action   string
	res      string
	resAcct  string
	ctx      map[string][]string

	want policy.Decision
	// matched are the labels (Sid or #index) of Result.Matched, in order.
	matched []string
	// reason is Result.Reason() exactly ("" when allowed).
	reason string
	// denyCategory, for explicit denies.
	denyCategory policy.Category
}

func allowStmt(sid, action, resource string) string {
	return fmt.Sprintf(`{"Sid":%q,"Effect":"Allow","Action":%q,"Resource":%q}`, sid, action, resource)
}

func denyStmt(sid, action, resource string) string {
	return fmt.Sprintf(`{"Sid":%q,"Effect":"Deny","Action":%q,"Resource":%q}`, sid, action, resource)
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func mustParseKind(t testing.TB, src string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, err := policy.ParseString(src, kind)
	if err != nil {
		t.Fatalf("parse %s: %v\n%s", kind, err, src)
	}
	return p
}

func attach(t testing.TB, docs []string, kind policy.Kind, prefix, typ string) []policy.Attached {
	var out []policy.Attached
	for i, d := range docs {
		out = append(out, policy.Attached{Source: policy.Source{ID: fmt.Sprintf("%s-%d", prefix, i+1), Type: typ}, Policy: mustParseKind(t, d, kind)})
	}
	return out
}

// request builds the scenario's request alone.
func (sc *scenario) request(t testing.TB) *policy.Request {
	t.Helper()
	caller, err := policy.CallerFromARN(sc.caller)
	if err != nil {
		t.Fatal(err)
	}
	ctx := policy.NewContext()
	for k, v := range sc.ctx {
		ctx.Set(k, v...)
	}
	caller.AddContext(ctx, evalNow)
	res := sc.res
	if res == "" {
		res = repoARN
	}
	return &policy.Request{Caller: caller, Action: sc.action, Resource: res, ResourceAccount: sc.resAcct, Context: ctx}
}

func (sc *scenario) build(t testing.TB) (policy.Set, *policy.Request) {
	t.Helper()
	var set policy.Set
	set.Identity = attach(t, sc.identity, policy.IdentityPolicy, "identity", "user")
	set.Boundary = attach(t, sc.boundary, policy.IdentityPolicy, "boundary", "user-managed")
	set.Session = attach(t, sc.session, policy.IdentityPolicy, "session", "none")
	set.SCPs = attach(t, sc.scps, policy.IdentityPolicy, "scp", "none")
	if sc.resource != "" {
		set.Resource = attach(t, []string{sc.resource}, policy.ResourcePolicy, "repository-policy", "resource")
	}
	return set, sc.request(t)
}

func labels(refs []policy.StatementRef) []string {
	out := []string{}
	for _, r := range refs {
		out = append(out, r.Statement.Label())
	}
	return out
}

// decideAndExplain evaluates the request both ways and requires they agree.
func decideAndExplain(t *testing.T, set policy.Set, req *policy.Request) *policy.Result {
	t.Helper()
	ev := policy.NewEvaluator(set)
	d := ev.Decide(req)
	res := ev.Explain(req)
	if d != res.Decision {
		t.Fatalf("Decide = %v but Explain().Decision = %v for %s on %s", d, res.Decision, req.Action, req.Resource)
	}
	if other := policy.Evaluate(set, req); other.Decision != d {
		t.Fatalf("Evaluate = %v, Decide = %v", other.Decision, d)
	}
	return res
}

func TestEvaluateScenarios(t *testing.T) {
	pushActions := `["ecr-public:BatchCheckLayerAvailability","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload","ecr-public:PutImage"]`
	repoPolicyNaming := func(effect, principal, action string) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Repo%s","Effect":%q,"Principal":%s,"Action":%q}]}`, effect, effect, principal, action)
	}
	scenarios := []scenario{
		// --- The account root user ---
		{name: "root-own-account-no-policies", caller: rootARN, action: "ecr-public:DeleteRepository",
			want: policy.Allowed, matched: []string{}},
		{name: "root-own-account-resource-policy-deny", caller: rootARN, action: "ecr-public:DeleteRepository",
			resource: repoPolicyNaming("Deny", `"*"`, "ecr-public:Delete*"),
			want:     policy.ExplicitDeny, matched: []string{"RepoDeny"}, denyCategory: policy.CategoryResource,
			reason: "with an explicit deny in a resource-based policy"},
		{name: "root-own-account-scp-does-not-allow", caller: rootARN, action: "ecr-public:PutImage",
			scps: []string{doc(allowStmt("OnlyDescribe", "ecr-public:Describe*", "*"))},
			want: policy.ImplicitDeny, reason: "because no service control policy allows the ecr-public:PutImage action"},
		{name: "root-own-account-scp-allows", caller: rootARN, action: "ecr-public:PutImage",
			scps: []string{doc(allowStmt("FullAWSAccess", "*", "*"))},
			want: policy.Allowed, matched: []string{"FullAWSAccess"}},

		// --- Cross-account: the resource policy names the account, or the user ---
		{name: "cross-account-account-named-identity-allows", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:PutImage", repoARN))},
			resource: repoPolicyNaming("Allow", `{"AWS":"999999999999"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"RepoAllow", "CarolPush"}},
		{name: "cross-account-root-arn-named-identity-allows", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:*", "*"))},
			resource: repoPolicyNaming("Allow", `{"AWS":"arn:aws:iam::999999999999:root"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"RepoAllow", "CarolPush"}},
		{name: "cross-account-account-named-no-identity-policy", caller: carol, action: "ecr-public:PutImage",
			resource: repoPolicyNaming("Allow", `{"AWS":"999999999999"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"RepoAllow"}, reason: "because no identity-based policy allows the ecr-public:PutImage action"},
		{name: "cross-account-user-named-no-identity-policy", caller: carol, action: "ecr-public:PutImage",
			resource: repoPolicyNaming("Allow", `{"AWS":"`+carol+`"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"RepoAllow"}, reason: "because no identity-based policy allows the ecr-public:PutImage action"},
		{name: "cross-account-user-named-identity-allows", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:PutImage", repoARN))},
			resource: repoPolicyNaming("Allow", `{"AWS":"`+carol+`"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"RepoAllow", "CarolPush"}},
		{name: "cross-account-identity-only", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:PutImage", repoARN))},
			want:     policy.ImplicitDeny, matched: []string{"CarolPush"}, reason: "because no resource-based policy allows the ecr-public:PutImage action"},
		{name: "cross-account-other-account-named", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:PutImage", repoARN))},
			resource: repoPolicyNaming("Allow", `{"AWS":"111111111111"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"CarolPush"}, reason: "because no resource-based policy allows the ecr-public:PutImage action"},
		{name: "cross-account-other-user-of-same-account-named", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:PutImage", repoARN))},
			resource: repoPolicyNaming("Allow", `{"AWS":"arn:aws:iam::999999999999:user/dave"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"CarolPush"}, reason: "because no resource-based policy allows the ecr-public:PutImage action"},
		{name: "cross-account-resource-deny-beats-both-allows", caller: carol, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("CarolPush", "ecr-public:PutImage", repoARN))},
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"TrustB","Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"ecr-public:*"},{"Sid":"NoPushFromB","Effect":"Deny","Principal":{"AWS":"999999999999"},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.ExplicitDeny, matched: []string{"NoPushFromB"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "cross-account-by-resource-account-field", caller: alice, action: "ecr-public:PutImage", res: "*", resAcct: otherAcct,
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", "*"))},
			want:     policy.ImplicitDeny, matched: []string{"Push"}, reason: "because no resource-based policy allows the ecr-public:PutImage action"},

		// --- Role session: identity ∩ boundary ∩ session policy ---
		{name: "session-all-three-allow", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("RoleAll", "ecr-public:*", "*"))},
			boundary: []string{doc(allowStmt("BoundaryAll", "ecr-public:*", "*"))},
			session:  []string{doc(allowStmt("SessionPush", "ecr-public:PutImage", repoARN))},
			want:     policy.Allowed, matched: []string{"RoleAll", "BoundaryAll", "SessionPush"}},
		{name: "session-policy-does-not-allow", caller: session, action: "ecr-public:DeleteRepository",
			identity: []string{doc(allowStmt("RoleAll", "ecr-public:*", "*"))},
			boundary: []string{doc(allowStmt("BoundaryAll", "ecr-public:*", "*"))},
			session:  []string{doc(allowStmt("SessionPush", "ecr-public:PutImage", repoARN))},
			want:     policy.ImplicitDeny, matched: []string{"RoleAll", "BoundaryAll"}, reason: "because no session policy allows the ecr-public:DeleteRepository action"},
		{name: "session-boundary-does-not-allow", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("RoleAll", "ecr-public:*", "*"))},
			boundary: []string{doc(allowStmt("BoundaryRead", "ecr-public:Describe*", "*"))},
			session:  []string{doc(allowStmt("SessionAll", "ecr-public:*", "*"))},
			want:     policy.ImplicitDeny, matched: []string{"RoleAll", "SessionAll"}, reason: "because no permissions boundary allows the ecr-public:PutImage action"},
		{name: "session-identity-does-not-allow", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("RoleRead", "ecr-public:Describe*", "*"))},
			boundary: []string{doc(allowStmt("BoundaryAll", "ecr-public:*", "*"))},
			session:  []string{doc(allowStmt("SessionAll", "ecr-public:*", "*"))},
			want:     policy.ImplicitDeny, matched: []string{"BoundaryAll", "SessionAll"}, reason: "because no identity-based policy allows the ecr-public:PutImage action"},
		{name: "session-boundary-explicit-deny", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("RoleAll", "ecr-public:*", "*"))},
			boundary: []string{doc(allowStmt("BoundaryAll", "ecr-public:*", "*"), denyStmt("BoundaryNoPush", "ecr-public:PutImage", "*"))},
			session:  []string{doc(allowStmt("SessionAll", "ecr-public:*", "*"))},
			want:     policy.ExplicitDeny, matched: []string{"BoundaryNoPush"}, denyCategory: policy.CategoryBoundary, reason: "with an explicit deny in a permissions boundary"},
		{name: "session-policy-explicit-deny", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("RoleAll", "ecr-public:*", "*"))},
			session:  []string{doc(allowStmt("SessionAll", "ecr-public:*", "*"), denyStmt("SessionNoPush", "ecr-public:Put*", repoARN))},
			want:     policy.ExplicitDeny, matched: []string{"SessionNoPush"}, denyCategory: policy.CategorySession, reason: "with an explicit deny in a session policy"},
		{name: "session-resource-policy-names-role-limited-by-session-policy", caller: session, action: "ecr-public:PutImage",
			session:  []string{doc(allowStmt("SessionRead", "ecr-public:Describe*", "*"))},
			resource: repoPolicyNaming("Allow", `{"AWS":"`+roleARN+`"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"RepoAllow"}, reason: "because no session policy allows the ecr-public:PutImage action"},
		{name: "session-resource-policy-names-session-not-limited", caller: session, action: "ecr-public:PutImage",
			boundary: []string{doc(allowStmt("BoundaryRead", "ecr-public:Describe*", "*"))},
			session:  []string{doc(allowStmt("SessionRead", "ecr-public:Describe*", "*"))},
			resource: repoPolicyNaming("Allow", `{"AWS":"`+session+`"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"RepoAllow"}},
		{name: "session-resource-policy-names-account-needs-identity", caller: session, action: "ecr-public:PutImage",
			resource: repoPolicyNaming("Allow", `{"AWS":"123456789012"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"RepoAllow"}, reason: "because no identity-based policy allows the ecr-public:PutImage action"},

		// --- Service control policies ---
		{name: "scp-without-allow-is-implicit-deny", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", repoARN))},
			scps:     []string{doc(denyStmt("NoDelete", "ecr-public:DeleteRepository", "*"))},
			want:     policy.ImplicitDeny, matched: []string{"Push"}, reason: "because no service control policy allows the ecr-public:PutImage action"},
		{name: "scp-allow-and-identity-allow", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", repoARN))},
			scps:     []string{doc(allowStmt("FullAWSAccess", "*", "*"), denyStmt("NoDelete", "ecr-public:DeleteRepository", "*"))},
			want:     policy.Allowed, matched: []string{"FullAWSAccess", "Push"}},
		{name: "scp-allow-but-no-identity-allow", caller: alice, action: "ecr-public:PutImage",
			scps: []string{doc(allowStmt("FullAWSAccess", "*", "*"))},
			want: policy.ImplicitDeny, matched: []string{"FullAWSAccess"}, reason: "because no identity-based policy allows the ecr-public:PutImage action"},
		{name: "scp-deny-beats-everything", caller: alice, action: "ecr-public:DeleteRepository",
			identity: []string{doc(allowStmt("All", "*", "*"))},
			scps:     []string{doc(allowStmt("FullAWSAccess", "*", "*"), denyStmt("NoDelete", "ecr-public:DeleteRepository", "*"))},
			want:     policy.ExplicitDeny, matched: []string{"NoDelete"}, denyCategory: policy.CategorySCP, reason: "with an explicit deny in a service control policy"},
		{name: "scp-without-allow-limits-resource-policy-grant", caller: alice, action: "ecr-public:PutImage",
			scps:     []string{doc(allowStmt("OnlyRead", "ecr-public:Describe*", "*"))},
			resource: repoPolicyNaming("Allow", `{"AWS":"`+alice+`"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"RepoAllow"}, reason: "because no service control policy allows the ecr-public:PutImage action"},

		// --- Anonymous callers ---
		{name: "anonymous-no-resource-policy", caller: "anonymous", action: "ecr-public:DescribeImages",
			identity: []string{doc(allowStmt("IrrelevantForAnonymous", "*", "*"))},
			want:     policy.ImplicitDeny, matched: []string{"IrrelevantForAnonymous"}, reason: "because no resource-based policy allows the ecr-public:DescribeImages action"},
		{name: "anonymous-public-repository", caller: "anonymous", action: "ecr-public:DescribeImages",
			resource: repoPolicyNaming("Allow", `"*"`, "ecr-public:Describe*"),
			want:     policy.Allowed, matched: []string{"RepoAllow"}},
		{name: "anonymous-aws-star-is-everyone", caller: "anonymous", action: "ecr-public:DescribeImages",
			resource: repoPolicyNaming("Allow", `{"AWS":"*"}`, "ecr-public:Describe*"),
			want:     policy.Allowed, matched: []string{"RepoAllow"}},
		{name: "anonymous-account-principal-does-not-cover", caller: "anonymous", action: "ecr-public:DescribeImages",
			resource: repoPolicyNaming("Allow", `{"AWS":"123456789012"}`, "ecr-public:Describe*"),
			want:     policy.ImplicitDeny, reason: "because no resource-based policy allows the ecr-public:DescribeImages action"},
		{name: "anonymous-scp-does-not-apply", caller: "anonymous", action: "ecr-public:DescribeImages",
			scps:     []string{doc(denyStmt("NothingElse", "iam:*", "*"))},
			resource: repoPolicyNaming("Allow", `"*"`, "ecr-public:Describe*"),
			want:     policy.Allowed, matched: []string{"RepoAllow"}},

		// --- NotPrincipal with Deny ---
		{name: "notprincipal-deny-excludes-listed-user", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", repoARN))},
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":["` + alice + `","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.Allowed, matched: []string{"Push"}},
		// AWS's own example: NotPrincipal [user Bob, Bob's account] denies
		// every principal except Bob, including the other users of Bob's account.
		{name: "notprincipal-deny-denies-other-users-of-listed-account", caller: bob, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", repoARN))},
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":["` + alice + `","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.ExplicitDeny, matched: []string{"OnlyAlice"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "notprincipal-deny-denies-anonymous", caller: "anonymous", action: "ecr-public:PutImage",
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"ecr-public:*"},{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.ExplicitDeny, matched: []string{"OnlyAlice"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "notprincipal-deny-other-action-unaffected", caller: "anonymous", action: "ecr-public:DescribeImages",
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"ecr-public:*"},{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.Allowed, matched: []string{"Public"}},
		{name: "notprincipal-deny-session-listed", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", "*"))},
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyPusher","Effect":"Deny","NotPrincipal":{"AWS":["` + session + `","` + roleARN + `","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:*"}]}`,
			want:     policy.Allowed, matched: []string{"Push"}},

		// AWS's example for roles: [session, role, account] exempts only that session.
		{name: "notprincipal-deny-other-session-of-listed-role", caller: "arn:aws:sts::123456789012:assumed-role/pusher/build-43", action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", "*"))},
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyPusher","Effect":"Deny","NotPrincipal":{"AWS":["` + session + `","` + roleARN + `","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:*"}]}`,
			want:     policy.ExplicitDeny, matched: []string{"OnlyPusher"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "notprincipal-deny-root-exempt-by-account", caller: rootARN, action: "ecr-public:PutImage",
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":["` + alice + `","123456789012"]},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.Allowed, matched: []string{}},
		// "The NotPrincipal element with a Deny effect will always deny any IAM
		// principal that has a permissions boundary policy attached, regardless
		// of the values specified in the NotPrincipal element."
		{name: "notprincipal-deny-always-denies-principal-with-boundary", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", repoARN))},
			boundary: []string{doc(allowStmt("BoundaryAll", "ecr-public:*", "*"))},
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":["` + alice + `","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:PutImage"}]}`,
			want:     policy.ExplicitDeny, matched: []string{"OnlyAlice"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},

		// --- A resource policy that denies one principal ---
		{name: "resource-deny-on-user", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:*", "*"))},
			resource: repoPolicyNaming("Deny", `{"AWS":"`+alice+`"}`, "ecr-public:PutImage"),
			want:     policy.ExplicitDeny, matched: []string{"RepoDeny"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "resource-deny-on-user-other-user-unaffected", caller: bob, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:*", "*"))},
			resource: repoPolicyNaming("Deny", `{"AWS":"`+alice+`"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"Push"}},
		{name: "resource-deny-on-role-covers-its-sessions", caller: session, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:*", "*"))},
			resource: repoPolicyNaming("Deny", `{"AWS":"`+roleARN+`"}`, "ecr-public:PutImage"),
			want:     policy.ExplicitDeny, matched: []string{"RepoDeny"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "resource-deny-on-account-covers-users", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:*", "*"))},
			resource: repoPolicyNaming("Deny", `{"AWS":"123456789012"}`, "ecr-public:PutImage"),
			want:     policy.ExplicitDeny, matched: []string{"RepoDeny"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "identity-deny-message", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "ecr-public:*", "*"), denyStmt("NoPush", "ecr-public:PutImage", "*"))},
			want:     policy.ExplicitDeny, matched: []string{"NoPush"}, denyCategory: policy.CategoryIdentity, reason: "with an explicit deny in an identity-based policy"},
		{name: "two-denies-both-matched", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(denyStmt("NoPush", "ecr-public:PutImage", "*")), doc(denyStmt("NoWrites", "ecr-public:Put*", repoARN))},
			want:     policy.ExplicitDeny, matched: []string{"NoPush", "NoWrites"}, denyCategory: policy.CategoryIdentity, reason: "with an explicit deny in an identity-based policy"},

		// --- Action wildcards and the evaluator's index ---
		{name: "service-wildcard-matches", caller: alice, action: "ecr-public:DescribeImages",
			identity: []string{doc(allowStmt("AnyEcrDescribe", "ecr-*:Describe*", "*"))},
			want:     policy.Allowed, matched: []string{"AnyEcrDescribe"}},
		{name: "service-wildcard-needs-dash", caller: alice, action: "ecr:DescribeImages", res: "arn:aws:ecr:us-east-1:123456789012:repository/app",
			identity: []string{doc(allowStmt("AnyEcrDescribe", "ecr-*:Describe*", "*"))},
			want:     policy.ImplicitDeny, reason: "because no identity-based policy allows the ecr:DescribeImages action"},
		{name: "service-wildcard-name-mismatch", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("AnyEcrDescribe", "ecr-*:Describe*", "*"))},
			want:     policy.ImplicitDeny, reason: "because no identity-based policy allows the ecr-public:PutImage action"},
		{name: "service-question-mark", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Odd", "e?r-public:PutImage", "*"))},
			want:     policy.Allowed, matched: []string{"Odd"}},
		{name: "star-action", caller: alice, action: "sts:GetServiceBearerToken", res: "*",
			identity: []string{doc(allowStmt("Admin", "*", "*"))},
			want:     policy.Allowed, matched: []string{"Admin"}},
		{name: "star-colon-star-deny", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Admin", "*", "*"), denyStmt("Freeze", "*:*", "*"))},
			want:     policy.ExplicitDeny, matched: []string{"Freeze"}, denyCategory: policy.CategoryIdentity, reason: "with an explicit deny in an identity-based policy"},
		{name: "service-star", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("AllEcrPublic", "ecr-public:*", "*"))},
			want:     policy.Allowed, matched: []string{"AllEcrPublic"}},
		{name: "service-star-other-service", caller: alice, action: "ecr:PutImage", res: "arn:aws:ecr:us-east-1:123456789012:repository/app",
			identity: []string{doc(allowStmt("AllEcrPublic", "ecr-public:*", "*"))},
			want:     policy.ImplicitDeny, reason: "because no identity-based policy allows the ecr:PutImage action"},
		{name: "literal-and-wildcard-same-service-literal", caller: alice, action: "ecr-public:PutImage",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Mixed","Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*","sts:GetServiceBearerToken"],"Resource":"*"}]}`},
			want:     policy.Allowed, matched: []string{"Mixed"}},
		{name: "literal-and-wildcard-same-service-wildcard", caller: alice, action: "ecr-public:DescribeImageTags",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Mixed","Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*","sts:GetServiceBearerToken"],"Resource":"*"}]}`},
			want:     policy.Allowed, matched: []string{"Mixed"}},
		{name: "literal-and-wildcard-same-service-other-service-literal", caller: alice, action: "sts:GetServiceBearerToken", res: "*",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Mixed","Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*","sts:GetServiceBearerToken"],"Resource":"*"}]}`},
			want:     policy.Allowed, matched: []string{"Mixed"}},
		{name: "literal-and-wildcard-same-service-miss", caller: alice, action: "ecr-public:DeleteRepository",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Mixed","Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*"],"Resource":"*"}]}`},
			want:     policy.ImplicitDeny, reason: "because no identity-based policy allows the ecr-public:DeleteRepository action"},
		{name: "literal-deny-with-wildcard-allow-same-service", caller: alice, action: "ecr-public:PutImage",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Mixed","Effect":"Deny","Action":["ecr-public:PutImage","ecr-public:Delete*"],"Resource":"*"},{"Sid":"All","Effect":"Allow","Action":"ecr-public:*","Resource":"*"}]}`},
			want:     policy.ExplicitDeny, matched: []string{"Mixed"}, denyCategory: policy.CategoryIdentity, reason: "with an explicit deny in an identity-based policy"},
		{name: "action-case-insensitive-request", caller: alice, action: "ECR-PUBLIC:putimage",
			identity: []string{doc(allowStmt("Push", "ecr-public:PutImage", repoARN))},
			want:     policy.Allowed, matched: []string{"Push"}},
		{name: "action-case-insensitive-policy", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("Push", "Ecr-Public:PUTIMAGE", repoARN))},
			want:     policy.Allowed, matched: []string{"Push"}},
		{name: "action-case-insensitive-wildcard", caller: alice, action: "ecr-public:describeimages",
			identity: []string{doc(allowStmt("Read", "ECR-PUBLIC:Describe*", repoARN))},
			want:     policy.Allowed, matched: []string{"Read"}},
		{name: "notaction-allow-covers-other-services", caller: alice, action: "sts:GetServiceBearerToken", res: "*",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"AllButIam","Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`},
			want:     policy.Allowed, matched: []string{"AllButIam"}},
		{name: "notaction-deny", caller: alice, action: "ecr-public:PutImage",
			identity: []string{doc(allowStmt("All", "*", "*")), `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyRead","Effect":"Deny","NotAction":["ecr-public:Describe*","ecr-public:Get*"],"Resource":"*"}]}`},
			want:     policy.ExplicitDeny, matched: []string{"OnlyRead"}, denyCategory: policy.CategoryIdentity, reason: "with an explicit deny in an identity-based policy"},
		{name: "push-actions-list", caller: alice, action: "ecr-public:UploadLayerPart",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow","Action":` + pushActions + `,"Resource":"` + repoARN + `"}]}`},
			want:     policy.Allowed, matched: []string{"Push"}},
		{name: "push-actions-list-other-repo", caller: alice, action: "ecr-public:UploadLayerPart", res: otherRepo,
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow","Action":` + pushActions + `,"Resource":"` + repoARN + `"}]}`},
			want:     policy.ImplicitDeny, reason: "because no identity-based policy allows the ecr-public:UploadLayerPart action"},

		// --- Same account: union of identity and resource policies ---
		{name: "same-account-resource-policy-names-user", caller: alice, action: "ecr-public:PutImage",
			resource: repoPolicyNaming("Allow", `{"AWS":"`+alice+`"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"RepoAllow"}},
		{name: "same-account-resource-policy-names-account-needs-identity", caller: alice, action: "ecr-public:PutImage",
			resource: repoPolicyNaming("Allow", `{"AWS":"123456789012"}`, "ecr-public:PutImage"),
			want:     policy.ImplicitDeny, matched: []string{"RepoAllow"}, reason: "because no identity-based policy allows the ecr-public:PutImage action"},
		{name: "same-account-resource-policy-unique-id", caller: alice, action: "ecr-public:PutImage",
			resource: repoPolicyNaming("Allow", `{"AWS":"`+mustCaller(alice).UserID+`"}`, "ecr-public:PutImage"),
			want:     policy.Allowed, matched: []string{"RepoAllow"}},

		// --- Conditions ---
		{name: "condition-ip-allow", caller: alice, action: "ecr-public:PutImage", ctx: map[string][]string{"aws:SourceIp": {"10.1.2.3"}},
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"FromOffice","Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`},
			want:     policy.Allowed, matched: []string{"FromOffice"}},
		{name: "condition-principal-type-root-deny", caller: rootARN, action: "ecr-public:PutImage",
			resource: `{"Version":"2012-10-17","Statement":[{"Sid":"NoRoot","Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringEquals":{"aws:PrincipalType":"Account"}}}]}`,
			want:     policy.ExplicitDeny, matched: []string{"NoRoot"}, denyCategory: policy.CategoryResource, reason: "with an explicit deny in a resource-based policy"},
		{name: "condition-principal-arn-deny-root", caller: rootARN, action: "ecr-public:PutImage",
			scps: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"RestrictRoot","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`},
			want: policy.ExplicitDeny, matched: []string{"RestrictRoot"}, denyCategory: policy.CategorySCP, reason: "with an explicit deny in a service control policy"},
	}

	names := map[string]bool{}
	for _, sc := range scenarios {
		if names[sc.name] {
			t.Fatalf("duplicate scenario %s", sc.name)
		}
		names[sc.name] = true
		t.Run(sc.name, func(t *testing.T) {
			set, req := sc.build(t)
			res := decideAndExplain(t, set, req)
			if res.Decision != sc.want {
				t.Fatalf("Decision = %v, want %v\n%s", res.Decision, sc.want, res.Explanation())
			}
			if sc.matched != nil {
				if got := labels(res.Matched); !reflect.DeepEqual(got, sc.matched) {
					t.Errorf("Matched = %q, want %q", got, sc.matched)
				}
			}
			if got := res.Reason(); got != sc.reason {
				t.Errorf("Reason() = %q, want %q", got, sc.reason)
			}
			if sc.want == policy.ExplicitDeny && res.DenyCategory != sc.denyCategory {
				t.Errorf("DenyCategory = %v, want %v", res.DenyCategory, sc.denyCategory)
			}
			// Every decision has an AccessDenied-style message naming the caller.
			who := req.Caller.ARN
			if who == "" {
				who = "anonymous"
			}
			msg := res.Message()
			if sc.want == policy.Allowed {
				wantEq(t, "Message", msg, fmt.Sprintf("User: %s is authorized to perform: %s on resource: %s", who, req.Action, req.Resource))
			} else {
				wantEq(t, "Message", msg, fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", who, req.Action, req.Resource, sc.reason))
			}
			if sc.want != policy.ImplicitDeny && len(res.Misses) != 0 {
				t.Errorf("Misses on a %v decision: %d", sc.want, len(res.Misses))
			}
			if !strings.HasPrefix(res.Explanation(), sc.want.String()+": ") {
				t.Errorf("Explanation does not start with the decision: %q", res.Explanation())
			}
			// Boundary and Organizations details are present exactly when those policies are.
			if (res.AllowedByBoundary != nil) != (len(sc.boundary) > 0) {
				t.Errorf("AllowedByBoundary presence = %v with %d boundaries", res.AllowedByBoundary != nil, len(sc.boundary))
			}
			if (res.AllowedByOrganizations != nil) != (len(sc.scps) > 0) {
				t.Errorf("AllowedByOrganizations presence = %v with %d SCPs", res.AllowedByOrganizations != nil, len(sc.scps))
			}
		})
	}
}

func readSeed(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/seed-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustCaller(s string) policy.Caller {
	c, err := policy.CallerFromARN(s)
	if err != nil {
		panic(err)
	}
	return c
}

// TestExplainMissesSeedPolicy: the seed tutorial's policy uses ecr ARNs for
// ecr-public actions. The nearest miss is the statement whose action matched,
// and its reason names the ARN segments that differ.
func TestExplainMissesSeedPolicy(t *testing.T) {
	seed := readSeed(t)
	sc := scenario{identity: []string{seed}, caller: alice, action: "ecr-public:PutImage", res: "arn:aws:ecr-public::123456789012:repository/my-public-repo"}
	set, req := sc.build(t)
	res := decideAndExplain(t, set, req)
	wantEq(t, "Decision", res.Decision, policy.ImplicitDeny)
	if len(res.Misses) != 3 {
		t.Fatalf("Misses = %d, want 3: %+v", len(res.Misses), res.Misses)
	}
	wantEq(t, "nearest miss", res.Misses[0].Statement.Label(), "ManageRepositoryContents")
	wantEq(t, "second miss", res.Misses[1].Statement.Label(), "ListImagesInRepository")
	wantEq(t, "third miss", res.Misses[2].Statement.Label(), "GetAuthorizationToken")
	why := strings.Join(res.Misses[0].Reasons, "\n")
	for _, want := range []string{
		`service "ecr" is not "ecr-public"`,
		`region "us-east-1" is given, but ecr-public ARNs have no region`,
		"Resource arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo does not match arn:aws:ecr-public::123456789012:repository/my-public-repo",
	} {
		if !strings.Contains(why, want) {
			t.Errorf("nearest miss reasons %q lack %q", why, want)
		}
	}
	if strings.Contains(why, "account") || strings.Contains(why, "resource path") {
		t.Errorf("reasons name segments that match: %q", why)
	}
	if !strings.Contains(res.Misses[1].Reasons[0], "action ecr-public:PutImage is not among ecr-public:ListImages") {
		t.Errorf("second miss reason %q", res.Misses[1].Reasons[0])
	}
	wantEq(t, "Miss source", res.Misses[0].Source.ID, "identity-1")
	wantEq(t, "Miss category", res.Misses[0].Category, policy.CategoryIdentity)
	wantEq(t, "Reason", res.Reason(), "because no identity-based policy allows the ecr-public:PutImage action")
	wantEq(t, "Message", res.Message(), "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: ecr-public:PutImage on resource: arn:aws:ecr-public::123456789012:repository/my-public-repo because no identity-based policy allows the ecr-public:PutImage action")
	ex := res.Explanation()
	for _, want := range []string{"nearest miss: identity-based policy \"identity-1\" statement ManageRepositoryContents", `service "ecr" is not "ecr-public"`} {
		if !strings.Contains(ex, want) {
			t.Errorf("Explanation lacks %q:\n%s", want, ex)
		}
	}
}

func TestExplainMissReasons(t *testing.T) {
	cases := []struct {
		name   string
		sc     scenario
		first  string   // label of the nearest miss
		reason []string // substrings of its reasons
		conds  int      // number of failed conditions on the nearest miss
	}{
		{name: "account-segment",
			sc:    scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(allowStmt("OtherAcct", "ecr-public:PutImage", "arn:aws:ecr-public::111111111111:repository/app"))}},
			first: "OtherAcct", reason: []string{`account "111111111111" is not "123456789012"`}},
		{name: "resource-path-segment",
			sc:    scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(allowStmt("OtherRepo", "ecr-public:PutImage", otherRepo))}},
			first: "OtherRepo", reason: []string{`resource path "repository/other" is not "repository/app"`}},
		{name: "resource-case-sensitive",
			sc:    scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(allowStmt("Upper", "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/App"))}},
			first: "Upper", reason: []string{`resource path "repository/App" is not "repository/app"`}},
		{name: "action-takes-no-resource",
			sc:    scenario{caller: alice, action: "ecr-public:GetAuthorizationToken", res: "*", identity: []string{doc(allowStmt("Token", "ecr-public:GetAuthorizationToken", repoARN))}},
			first: "Token", reason: []string{`the action takes no resource (the request is for "*"), which only Resource "*" matches`}},
		{name: "notresource",
			sc:    scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"NotApp","Effect":"Allow","Action":"ecr-public:*","NotResource":"` + repoARN + `"}]}`}},
			first: "NotApp", reason: []string{"resource " + repoARN + " is excluded by NotResource"}},
		{name: "notaction",
			sc:    scenario{caller: alice, action: "ecr-public:DeleteRepository", identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Allow","NotAction":"ecr-public:Delete*","Resource":"*"}]}`}},
			first: "NoDelete", reason: []string{"action ecr-public:DeleteRepository is excluded by NotAction ecr-public:Delete*"}},
		{name: "variable-without-value",
			sc:    scenario{caller: session, action: "ecr-public:PutImage", identity: []string{doc(allowStmt("Own", "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/${aws:username}"))}},
			first: "Own", reason: []string{"the policy variable ${aws:username} has no value in this request"}},
		{name: "variable-resolved",
			sc:    scenario{caller: bob, action: "ecr-public:PutImage", identity: []string{doc(allowStmt("Own", "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/${aws:username}"))}},
			first: "Own", reason: []string{`resource path "repository/${aws:username} (= repository/bob)" is not "repository/app"`}},
		{name: "variable-literal-in-2008",
			sc:    scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{`{"Version":"2008-10-17","Statement":[{"Sid":"Own","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}"}]}`}},
			first: "Own", reason: []string{`policy variables such as ${aws:username} are literal text unless the policy's Version is "2012-10-17"`}},
		{name: "condition-failed",
			sc: scenario{caller: alice, action: "ecr-public:PutImage", ctx: map[string][]string{"aws:SourceIp": {"192.0.2.1"}},
				identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"FromOffice","Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`}},
			first: "FromOffice", reason: []string{`condition IpAddress failed: aws:SourceIp is "192.0.2.1", which does not match "10.0.0.0/8"`}, conds: 1},
		{name: "condition-key-missing",
			sc: scenario{caller: alice, action: "ecr-public:PutImage",
				identity: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Tagged","Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}]}`}},
			first: "Tagged", reason: []string{"key aws:ResourceTag/team is absent from the request"}, conds: 1},
		{name: "resource-policy-principal",
			sc:    scenario{caller: bob, action: "ecr-public:PutImage", resource: `{"Version":"2012-10-17","Statement":[{"Sid":"AliceOnly","Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"ecr-public:PutImage"}]}`},
			first: "AliceOnly", reason: []string{"the caller " + bob + " is not named by its Principal " + alice}},
		{name: "nearest-first-condition-beats-resource-beats-action",
			sc: scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{`{"Version":"2012-10-17","Statement":[
				{"Sid":"WrongAction","Effect":"Allow","Action":"ecr-public:DescribeImages","Resource":"*"},
				{"Sid":"WrongRepo","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"` + otherRepo + `"},
				{"Sid":"WrongTime","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}`}},
			first: "WrongTime", reason: []string{"aws:CurrentTime"}, conds: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, req := c.sc.build(t)
			res := decideAndExplain(t, set, req)
			if res.Decision != policy.ImplicitDeny {
				t.Fatalf("Decision = %v", res.Decision)
			}
			if len(res.Misses) == 0 {
				t.Fatal("no misses")
			}
			m := res.Misses[0]
			wantEq(t, "nearest miss", m.Statement.Label(), c.first)
			all := strings.Join(m.Reasons, "\n")
			for _, r := range c.reason {
				if !strings.Contains(all, r) {
					t.Errorf("reasons %q lack %q", all, r)
				}
			}
			wantEq(t, "failed conditions", len(m.Conditions), c.conds)
		})
	}
}

func TestExplainMissOrderAndLimit(t *testing.T) {
	// Seven Allow statements that miss on the action, two that miss on the
	// resource: the two resource misses come first, then at most three in all
	// unless more tie with the nearest.
	var stmts []string
	for i := 0; i < 7; i++ {
		stmts = append(stmts, allowStmt(fmt.Sprintf("Act%d", i), "ecr-public:DescribeImages", "*"))
	}
	stmts = append(stmts, allowStmt("Res1", "ecr-public:PutImage", otherRepo), allowStmt("Res2", "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/third"))
	sc := scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(stmts...)}}
	set, req := sc.build(t)
	res := decideAndExplain(t, set, req)
	var got []string
	for _, m := range res.Misses {
		got = append(got, m.Statement.Label())
	}
	wantEq(t, "misses", strings.Join(got, ","), "Res1,Res2,Act0")

	// Six statements that all miss on the resource: all tie, but at most five are kept.
	stmts = nil
	for i := 0; i < 6; i++ {
		stmts = append(stmts, allowStmt(fmt.Sprintf("Res%d", i), "ecr-public:PutImage", fmt.Sprintf("arn:aws:ecr-public::123456789012:repository/r%d", i)))
	}
	sc = scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(stmts...)}}
	set, req = sc.build(t)
	res = decideAndExplain(t, set, req)
	wantEq(t, "misses kept", len(res.Misses), 5)
	wantEq(t, "first kept", res.Misses[0].Statement.Label(), "Res0")

	// Deny statements, boundaries, session policies and SCPs are never misses.
	sc = scenario{caller: session, action: "ecr-public:PutImage",
		identity: []string{doc(denyStmt("DenyOther", "ecr-public:DeleteRepository", "*"))},
		boundary: []string{doc(allowStmt("BoundaryOther", "ecr-public:DescribeImages", "*"))},
		session:  []string{doc(allowStmt("SessionOther", "ecr-public:DescribeImages", "*"))},
		scps:     []string{doc(allowStmt("SCPAll", "*", "*"))}}
	set, req = sc.build(t)
	res = decideAndExplain(t, set, req)
	wantEq(t, "misses", len(res.Misses), 0)
	wantEq(t, "Reason", res.Reason(), "because no identity-based policy allows the ecr-public:PutImage action")

	// Nothing that could apply at all.
	sc = scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(denyStmt("DenyOther", "ecr-public:DeleteRepository", "*"))}}
	set, req = sc.build(t)
	res = decideAndExplain(t, set, req)
	if !strings.Contains(res.Explanation(), "no policy has an Allow statement that could apply") {
		t.Errorf("Explanation:\n%s", res.Explanation())
	}
}

func TestExplainMissingContextKeys(t *testing.T) {
	sc := scenario{caller: alice, action: "ecr-public:PutImage",
		ctx: map[string][]string{"aws:SourceIp": {"10.0.0.1"}},
		identity: []string{`{"Version":"2012-10-17","Statement":[
			{"Sid":"Push","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:ResourceTag/team":"red"}}},
			{"Sid":"Deny","Effect":"Deny","Action":"ecr-public:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"Bool":{"aws:SecureTransport":"false"}}},
			{"Sid":"OtherAction","Effect":"Allow","Action":"ecr-public:DeleteRepository","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/never":"x"}}},
			{"Sid":"OtherRepo","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"` + otherRepo + `","Condition":{"StringEquals":{"aws:RequestTag/never2":"x"}}}]}`}}
	set, req := sc.build(t)
	res := decideAndExplain(t, set, req)
	wantEq(t, "Decision", res.Decision, policy.ImplicitDeny)
	// Keys of statements whose action and resource match, absent from the
	// request, as written, sorted; keys the caller supplies are not missing.
	wantEq(t, "MissingContextKeys", strings.Join(res.MissingContextKeys, ","), "aws:MultiFactorAuthPresent,aws:ResourceTag/team,aws:SecureTransport")
	if !strings.Contains(res.Explanation(), "context keys the policies read but the request lacks: aws:MultiFactorAuthPresent, aws:ResourceTag/team, aws:SecureTransport") {
		t.Errorf("Explanation:\n%s", res.Explanation())
	}
	er := res.EvaluationResult()
	wantEq(t, "MissingContextValues", strings.Join(er.MissingContextValues, ","), "aws:MultiFactorAuthPresent,aws:ResourceTag/team,aws:SecureTransport")
	// Derived keys (aws:username, aws:PrincipalArn, aws:CurrentTime …) are present.
	sc.identity = []string{`{"Version":"2012-10-17","Statement":[{"Sid":"Me","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice","aws:PrincipalType":"User","aws:PrincipalAccount":"123456789012"},"ArnEquals":{"aws:PrincipalArn":"` + alice + `"},"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}}]}`}
	set, req = sc.build(t)
	res = decideAndExplain(t, set, req)
	wantEq(t, "Decision", res.Decision, policy.Allowed)
	wantEq(t, "MissingContextKeys", len(res.MissingContextKeys), 0)
}

func TestExplainAllowedByBoundary(t *testing.T) {
	for _, c := range []struct {
		name     string
		boundary string
		want     bool
		decision policy.Decision
	}{
		{"boundary-allows", doc(allowStmt("B", "ecr-public:*", "*")), true, policy.Allowed},
		{"boundary-silent", doc(allowStmt("B", "ecr-public:Describe*", "*")), false, policy.ImplicitDeny},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := scenario{caller: alice, action: "ecr-public:PutImage", identity: []string{doc(allowStmt("I", "ecr-public:*", "*"))}, boundary: []string{c.boundary}}
			set, req := sc.build(t)
			res := decideAndExplain(t, set, req)
			wantEq(t, "Decision", res.Decision, c.decision)
			if res.AllowedByBoundary == nil {
				t.Fatal("AllowedByBoundary is nil with a boundary")
			}
			wantEq(t, "AllowedByBoundary", *res.AllowedByBoundary, c.want)
			er := res.EvaluationResult()
			if er.PermissionsBoundaryDecisionDetail == nil || er.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary != c.want {
				t.Errorf("PermissionsBoundaryDecisionDetail = %+v", er.PermissionsBoundaryDecisionDetail)
			}
		})
	}
}

// TestEvaluationResultShape pins the JSON member names of botocore's
// EvaluationResult (iam SimulatePrincipalPolicy / SimulateCustomPolicy).
func TestEvaluationResultShape(t *testing.T) {
	identity := "{\n" +
		"  \"Version\": \"2012-10-17\",\n" +
		"  \"Statement\": [\n" +
		"    {\n" +
		"      \"Sid\": \"Push\",\n" +
		"      \"Effect\": \"Allow\",\n" +
		"      \"Action\": \"ecr-public:PutImage\",\n" +
		"      \"Resource\": \"*\",\n" +
		"      \"Condition\": {\"StringEqualsIfExists\": {\"aws:RequestTag/team\": \"red\"}}\n" +
		"    }\n" +
		"  ]\n" +
		"}"
	set := policy.Set{
		Identity: []policy.Attached{{Source: policy.Source{ID: "PushPolicy", Type: "user"}, Policy: mustParseKind(t, identity, policy.IdentityPolicy)}},
		Boundary: []policy.Attached{{Source: policy.Source{ID: "arn:aws:iam::123456789012:policy/Boundary", Type: "user-managed"}, Policy: mustParseKind(t, doc(allowStmt("B", "ecr-public:*", "*")), policy.IdentityPolicy)}},
		SCPs:     []policy.Attached{{Source: policy.Source{ID: "FullAWSAccess"}, Policy: mustParseKind(t, doc(allowStmt("S", "*", "*")), policy.IdentityPolicy)}},
	}
	req := &policy.Request{Caller: mustCaller(alice), Action: "ecr-public:PutImage", Resource: repoARN, Context: policy.NewContext()}
	res := decideAndExplain(t, set, req)
	wantEq(t, "Decision", res.Decision, policy.Allowed)
	er := res.EvaluationResult()
	b, err := json.Marshal(er)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	wantEq(t, "members", strings.Join(keys, ","), "EvalActionName,EvalDecision,EvalResourceName,Explanation,MatchedStatements,MissingContextValues,OrganizationsDecisionDetail,PermissionsBoundaryDecisionDetail")
	wantEq(t, "EvalActionName", m["EvalActionName"], any("ecr-public:PutImage"))
	wantEq(t, "EvalResourceName", m["EvalResourceName"], any(repoARN))
	wantEq(t, "EvalDecision", m["EvalDecision"], any("allowed"))
	wantEq(t, "OrganizationsDecisionDetail", fmt.Sprint(m["OrganizationsDecisionDetail"]), "map[AllowedByOrganizations:true]")
	wantEq(t, "PermissionsBoundaryDecisionDetail", fmt.Sprint(m["PermissionsBoundaryDecisionDetail"]), "map[AllowedByPermissionsBoundary:true]")
	mcv, ok := m["MissingContextValues"].([]any)
	if !ok || len(mcv) != 1 || mcv[0] != "aws:RequestTag/team" {
		t.Errorf("MissingContextValues = %#v", m["MissingContextValues"])
	}
	ms, ok := m["MatchedStatements"].([]any)
	if !ok || len(ms) != 3 {
		t.Fatalf("MatchedStatements = %#v", m["MatchedStatements"])
	}
	// Order: SCPs, resource, identity, boundary, session (the evaluator's order).
	first := ms[1].(map[string]any)
	msKeys := []string{}
	for k := range first {
		msKeys = append(msKeys, k)
	}
	sort.Strings(msKeys)
	wantEq(t, "MatchedStatement members", strings.Join(msKeys, ","), "EndPosition,SourcePolicyId,SourcePolicyType,StartPosition")
	wantEq(t, "SourcePolicyId", first["SourcePolicyId"], any("PushPolicy"))
	wantEq(t, "SourcePolicyType", first["SourcePolicyType"], any("user"))
	wantEq(t, "StartPosition", fmt.Sprint(first["StartPosition"]), "map[Column:5 Line:4]")
	wantEq(t, "EndPosition", fmt.Sprint(first["EndPosition"]), "map[Column:6 Line:10]")
	scp := ms[0].(map[string]any)
	wantEq(t, "SCP SourcePolicyType", scp["SourcePolicyType"], any("none"))
	wantEq(t, "boundary SourcePolicyId", ms[2].(map[string]any)["SourcePolicyId"], any("arn:aws:iam::123456789012:policy/Boundary"))

	// A denial: Message is the AccessDenied text, arrays are [] not null, and
	// the optional details are omitted without boundaries and SCPs.
	req = &policy.Request{Caller: mustCaller(alice), Action: "ecr-public:DeleteRepository", Resource: repoARN}
	res = decideAndExplain(t, policy.Set{Identity: set.Identity}, req)
	b, _ = json.Marshal(res.EvaluationResult())
	s := string(b)
	for _, want := range []string{`"EvalDecision":"implicitDeny"`, `"MatchedStatements":[]`, `"MissingContextValues":[]`,
		`"Message":"User: arn:aws:iam::123456789012:user/alice is not authorized to perform: ecr-public:DeleteRepository on resource: ` + repoARN + ` because no identity-based policy allows the ecr-public:DeleteRepository action"`} {
		if !strings.Contains(s, want) {
			t.Errorf("EvaluationResult JSON lacks %s:\n%s", want, s)
		}
	}
	for _, absent := range []string{"OrganizationsDecisionDetail", "PermissionsBoundaryDecisionDetail"} {
		if strings.Contains(s, absent) {
			t.Errorf("EvaluationResult JSON has %s without the policies:\n%s", absent, s)
		}
	}

	// Explicit deny: the Deny statement is the matched one.
	deny := "{\"Version\":\"2012-10-17\",\n\"Statement\":[\n  {\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"ecr-public:Delete*\",\"Resource\":\"*\"}]}"
	set2 := policy.Set{Identity: []policy.Attached{{Source: policy.Source{ID: "DenyPolicy", Type: "user"}, Policy: mustParseKind(t, deny, policy.IdentityPolicy)}}}
	res = decideAndExplain(t, set2, req)
	er = res.EvaluationResult()
	wantEq(t, "EvalDecision", er.EvalDecision, "explicitDeny")
	if len(er.MatchedStatements) != 1 {
		t.Fatalf("MatchedStatements = %+v", er.MatchedStatements)
	}
	wantEq(t, "StartPosition", er.MatchedStatements[0].StartPosition, policy.PositionShape{Line: 3, Column: 3})
	wantEq(t, "SourcePolicyId", er.MatchedStatements[0].SourcePolicyId, "DenyPolicy")
	wantEq(t, "Message", er.Message, "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: ecr-public:DeleteRepository on resource: "+repoARN+" with an explicit deny in an identity-based policy")
}

// TestDecideMatchesExplainExhaustively crosses a set of policies with many
// actions, resources and callers: the indexed hot path and the full scan must
// always agree.
func TestDecideMatchesExplainExhaustively(t *testing.T) {
	identityDocs := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*","sts:GetServiceBearerToken"],"Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["ecr-public:DeleteRepository","ecr-*:Set*"],"Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","ecr-public:Batch*"],"Resource":"` + repoARN + `"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"e?r:*","Resource":"arn:aws:ecr:*:*:repository/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:GetAuthorizationToken","ECR-PUBLIC:GETAUTHORIZATIONTOKEN"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}*"}]}`,
	}
	resourceDocs := []string{
		``,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["ecr-public:BatchGetImage","ecr-public:Describe*"]}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["999999999999","` + roleARN + `"]},"Action":"ecr-public:*"},{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"ecr-public:DeleteRepository"}]}`,
	}
	boundaryDocs := []string{``, doc(allowStmt("B", "ecr-public:*", "*"))}
	actions := []string{"ecr-public:PutImage", "ECR-PUBLIC:PUTIMAGE", "ecr-public:DescribeImages", "ecr-public:DeleteRepository", "ecr-public:SetRepositoryPolicy",
		"ecr:SetRepositoryPolicy", "ecr:PutImage", "ecr-public:BatchGetImage", "ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken", "iam:PassRole",
		"s3:GetObject", "ecr-public", "ecr-public:", ":", "", "ecr-public:Put:Image"}
	resources := []string{repoARN, otherRepo, "*", "arn:aws:ecr:us-east-1:123456789012:repository/app", "arn:aws:ecr-public::123456789012:repository/alice-app", "not-an-arn"}
	callers := []string{alice, bob, carol, session, rootARN, "anonymous"}
	contexts := []map[string][]string{nil, {"aws:SecureTransport": {"true"}}}
	n := 0
	for _, rd := range resourceDocs {
		for _, bd := range boundaryDocs {
			for mask := 1; mask < 1<<len(identityDocs); mask += 3 {
				var ids []string
				for i, d := range identityDocs {
					if mask&(1<<i) != 0 {
						ids = append(ids, d)
					}
				}
				sc := scenario{identity: ids, resource: rd}
				if bd != "" {
					sc.boundary = []string{bd}
				}
				set, _ := sc.build(t)
				for _, caller := range callers {
					for _, ctx := range contexts {
						sc.caller, sc.ctx = caller, ctx
						ev := policy.NewEvaluator(set)
						for _, a := range actions {
							for _, r := range resources {
								sc.action, sc.res = a, r
								req := sc.request(t)
								d, res := ev.Decide(req), ev.Explain(req)
								n++
								if d != res.Decision {
									t.Fatalf("Decide %v != Explain %v\ncaller %s action %q resource %s\nidentity %q\nresource policy %s", d, res.Decision, caller, a, r, ids, rd)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d requests agree", n)
}

// TestDecideConcurrent: one Evaluator, many goroutines (run with -race).
func TestDecideConcurrent(t *testing.T) {
	sc := scenario{
		identity: []string{doc(allowStmt("Push", "ecr-public:*", "*"), denyStmt("NoDelete", "ecr-public:DeleteRepository", "*")),
			`{"Version":"2012-10-17","Statement":[{"Sid":"Own","Effect":"Allow","Action":"ecr-public:*","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`},
		boundary: []string{doc(allowStmt("B", "ecr-*:*", "*"))},
		resource: `{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"ecr-public:Describe*"}]}`,
	}
	sc.caller = alice
	set, _ := sc.build(t)
	ev := policy.NewEvaluator(set)
	type q struct {
		req  *policy.Request
		want policy.Decision
	}
	var qs []q
	for _, caller := range []string{alice, bob, "anonymous", session} {
		for _, a := range []string{"ecr-public:PutImage", "Ecr-Public:DescribeImages", "ecr-public:DeleteRepository", "ecr:PutImage"} {
			for _, r := range []string{repoARN, "arn:aws:ecr-public::123456789012:repository/alice/app"} {
				s := sc
				s.caller, s.action, s.res = caller, a, r
				s.ctx = map[string][]string{"aws:SourceIp": {"10.9.9.9"}}
				_, req := s.build(t)
				qs = append(qs, q{req, ev.Explain(req).Decision})
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				x := qs[(g*7+i)%len(qs)]
				if d := ev.Decide(x.req); d != x.want {
					select {
					case errs <- fmt.Sprintf("goroutine %d: %s on %s = %v, want %v", g, x.req.Action, x.req.Resource, d, x.want):
					default:
					}
					return
				}
				if i%50 == 0 {
					if r := ev.Explain(x.req); r.Decision != x.want {
						select {
						case errs <- fmt.Sprintf("goroutine %d: Explain %v, want %v", g, r.Decision, x.want):
						default:
						}
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestCallerFromARN(t *testing.T) {
	cases := []struct {
		in       string
		kind     policy.CallerKind
		account  string
		roleARN  string
		username string
		ptype    string
		err      bool
	}{
		{in: alice, kind: policy.CallerUser, account: acct, username: "alice", ptype: "User"},
		{in: "arn:aws:iam::123456789012:user/division/bob", kind: policy.CallerUser, account: acct, username: "bob", ptype: "User"},
		{in: rootARN, kind: policy.CallerRoot, account: acct, ptype: "Account"},
		{in: session, kind: policy.CallerRoleSession, account: acct, roleARN: roleARN, ptype: "AssumedRole"},
		{in: "arn:aws:sts::123456789012:federated-user/bob", kind: policy.CallerFederatedUser, account: acct, ptype: "FederatedUser"},
		{in: "anonymous", kind: policy.CallerAnonymous, ptype: "Anonymous"},
		{in: "", kind: policy.CallerAnonymous, ptype: "Anonymous"},
		{in: "arn:aws:sts::123456789012:assumed-role/pusher", err: true},
		{in: "arn:aws:iam::123456789012:role/pusher", err: true},
		{in: "arn:aws:iam::12345:user/alice", err: true},
		{in: "alice", err: true},
	}
	for _, c := range cases {
		got, err := policy.CallerFromARN(c.in)
		if (err != nil) != c.err {
			t.Errorf("%q: err = %v", c.in, err)
			continue
		}
		if c.err {
			continue
		}
		if got.Kind != c.kind || got.Account != c.account || got.RoleARN != c.roleARN || got.UserName != c.username || got.Kind.PrincipalType() != c.ptype {
			t.Errorf("%q: got %+v (type %s)", c.in, got, got.Kind.PrincipalType())
		}
		ctx := policy.NewContext()
		got.AddContext(ctx, evalNow)
		if v, _ := ctx.Get("aws:PrincipalType"); len(v) != 1 || v[0] != c.ptype {
			t.Errorf("%q: aws:PrincipalType = %q", c.in, v)
		}
		if c.kind == policy.CallerUser {
			if v, _ := ctx.Get("aws:username"); len(v) != 1 || v[0] != c.username {
				t.Errorf("%q: aws:username = %q", c.in, v)
			}
			if !strings.HasPrefix(got.UserID, "AIDA") || len(got.UserID) != 21 {
				t.Errorf("%q: UserID %q", c.in, got.UserID)
			}
		} else if ctx.Has("aws:username") {
			t.Errorf("%q: aws:username set for a %s", c.in, c.ptype)
		}
		if c.kind == policy.CallerRoleSession {
			if v, _ := ctx.Get("aws:PrincipalArn"); len(v) != 1 || v[0] != roleARN {
				t.Errorf("aws:PrincipalArn for a session = %q, want the role ARN", v)
			}
			if !strings.HasPrefix(got.UserID, "AROA") || !strings.HasSuffix(got.UserID, ":build-42") {
				t.Errorf("session UserID %q", got.UserID)
			}
		}
		if v, _ := ctx.Get("aws:CurrentTime"); len(v) != 1 || v[0] != "2024-06-01T12:00:00Z" {
			t.Errorf("aws:CurrentTime = %q", v)
		}
		if v, _ := ctx.Get("aws:EpochTime"); len(v) != 1 || v[0] != "1717243200" {
			t.Errorf("aws:EpochTime = %q", v)
		}
	}
	// A caller's own context values are kept.
	ctx := policy.NewContext()
	ctx.Set("aws:CurrentTime", "2030-01-01T00:00:00Z")
	mustCaller(alice).AddContext(ctx, evalNow)
	if v, _ := ctx.Get("aws:CurrentTime"); v[0] != "2030-01-01T00:00:00Z" {
		t.Errorf("AddContext overwrote aws:CurrentTime: %q", v)
	}
}

func TestDecisionStrings(t *testing.T) {
	for _, d := range []policy.Decision{policy.Allowed, policy.ExplicitDeny, policy.ImplicitDeny} {
		got, ok := policy.ParseDecision(d.String())
		if !ok || got != d {
			t.Errorf("ParseDecision(%q) = %v, %v", d.String(), got, ok)
		}
	}
	if _, ok := policy.ParseDecision("Allowed"); ok {
		t.Error("ParseDecision accepts Allowed (the simulator's spelling is allowed)")
	}
	wantEq(t, "phrases", strings.Join([]string{policy.CategorySCP.Phrase(), policy.CategoryResource.Phrase(), policy.CategoryIdentity.Phrase(), policy.CategoryBoundary.Phrase(), policy.CategorySession.Phrase()}, "|"),
		"service control policy|resource-based policy|identity-based policy|permissions boundary|session policy")
}

// TestRoleSessionWithRolePath: a role's ARN in a Principal element carries the
// role's path, which an assumed-role ARN does not; the caller's RoleARN (with
// the path) is what resource policies are matched against.
func TestRoleSessionWithRolePath(t *testing.T) {
	const pathRole = "arn:aws:iam::123456789012:role/ci/pusher"
	rp := mustParseKind(t, `{"Version":"2012-10-17","Statement":[{"Sid":"CI","Effect":"Allow","Principal":{"AWS":"`+pathRole+`"},"Action":"ecr-public:PutImage"}]}`, policy.ResourcePolicy)
	set := policy.Set{Resource: []policy.Attached{{Source: policy.Source{ID: "repo", Type: "resource"}, Policy: rp}}}
	caller := mustCaller(session)
	caller.RoleARN = pathRole
	ctx := policy.NewContext()
	caller.AddContext(ctx, evalNow)
	req := &policy.Request{Caller: caller, Action: "ecr-public:PutImage", Resource: repoARN, Context: ctx}
	res := decideAndExplain(t, set, req)
	wantEq(t, "Decision with RoleARN carrying the path", res.Decision, policy.Allowed)
	if v, _ := ctx.Get("aws:PrincipalArn"); len(v) != 1 || v[0] != pathRole {
		t.Errorf("aws:PrincipalArn = %q, want the role ARN with its path", v)
	}
	// CallerFromARN cannot know the path: the session then does not match.
	req.Caller = mustCaller(session)
	res = decideAndExplain(t, set, req)
	wantEq(t, "Decision without the path", res.Decision, policy.ImplicitDeny)
}

// TestRootCrossAccount: the root user needs no identity policy, so a
// resource policy of another account that names the root's account (or the
// root itself) is enough; without one, cross-account access is denied.
func TestRootCrossAccount(t *testing.T) {
	root, err := policy.CallerFromARN("arn:aws:iam::999999999999:root")
	if err != nil {
		t.Fatal(err)
	}
	rp, err := policy.ParseString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"ecr-public:PutImage"}]}`, policy.ResourcePolicy)
	if err != nil {
		t.Fatal(err)
	}
	req := &policy.Request{Caller: root, Action: "ecr-public:PutImage", Resource: "arn:aws:ecr-public::123456789012:repository/r", Context: policy.NewContext()}
	with := policy.NewEvaluator(policy.Set{Resource: []policy.Attached{{Policy: rp}}})
	if d := with.Decide(req); d != policy.Allowed {
		t.Errorf("with a resource policy naming the account: %s, want allowed", d)
	}
	without := policy.NewEvaluator(policy.Set{})
	if d := without.Decide(req); d != policy.ImplicitDeny {
		t.Errorf("without a resource policy: %s, want implicitDeny", d)
	}
	same := &policy.Request{Caller: root, Action: "ecr-public:PutImage", Resource: "arn:aws:ecr-public::999999999999:repository/r", Context: policy.NewContext()}
	if d := without.Decide(same); d != policy.Allowed {
		t.Errorf("root in its own account: %s, want allowed", d)
	}
}
