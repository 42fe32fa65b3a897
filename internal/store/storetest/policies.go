package storetest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

const awsAccount = "aws"

func getPolicy(h *harness, arn string) store.ManagedPolicy {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.ManagedPolicy, error) { return tx.Policies().Get(arn) })
}

// entities creates user alice, group devs and role deployer in acctA.
func (h *harness) entities() (user, group, role store.Entity) {
	h.mustCreate(h.user(acctA, "alice"), h.group(acctA, "devs"), h.role(acctA, "deployer"))
	return store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "alice"},
		store.Entity{AccountID: acctA, Kind: store.KindGroup, Name: "devs"},
		store.Entity{AccountID: acctA, Kind: store.KindRole, Name: "deployer"}
}

var policyTests = []test{
	{"CreateGet", func(h *harness) {
		p, v := h.policy(acctA, "/team/", "Readers")
		h.mustCreatePolicy(p, v)
		check(h.t, "Get", getPolicy(h, p.ARN), p)
		got := get(h, func(tx store.Tx) (store.PolicyVersion, error) { return tx.Policies().GetVersion(p.ARN, "v1") })
		check(h.t, "GetVersion", got, v)
	}},
	{"FirstVersionIsDefault", func(h *harness) {
		p, v := h.policy(acctA, "/", "Readers")
		p.DefaultVersionID = ""
		v.VersionID = "v1"
		h.mustCreatePolicy(p, v)
		if got := getPolicy(h, p.ARN); got.DefaultVersionID != "v1" {
			h.t.Errorf("DefaultVersionID = %q, want v1", got.DefaultVersionID)
		}
	}},
	{"ZeroValues", func(h *harness) {
		arn := "arn:aws:iam::" + acctA + ":policy/bare"
		p := store.ManagedPolicy{AccountID: acctA, Name: "bare", ID: "ANPABARE", ARN: arn, DefaultVersionID: "v1"}
		v := store.PolicyVersion{PolicyARN: arn, VersionID: "v1"}
		h.mustCreatePolicy(p, v)
		check(h.t, "Get", getPolicy(h, arn), p)
		check(h.t, "GetVersion", get(h, func(tx store.Tx) (store.PolicyVersion, error) { return tx.Policies().GetVersion(arn, "v1") }), v)
	}},
	{"DuplicateName", func(h *harness) {
		p, v := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p, v)
		for _, c := range []struct{ path, name string }{{"/", "Readers"}, {"/", "readers"}, {"/other/", "READERS"}} {
			q, w := h.policy(acctA, c.path, c.name)
			h.failsAs(c.path+c.name, store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Policies().Create(q, w) })
		}
	}},
	{"DuplicateID", func(h *harness) {
		p, v := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p, v)
		q, w := h.policy(acctB, "/", "Writers")
		q.ID = p.ID
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Policies().Create(q, w) })
	}},
	{"SameNameOtherAccount", func(h *harness) {
		p, v := h.policy(acctA, "/", "Readers")
		q, w := h.policy(acctB, "/", "Readers")
		r, x := h.policy(awsAccount, "/", "Readers")
		h.mustCreatePolicy(p, v)
		h.mustCreatePolicy(q, w)
		h.mustCreatePolicy(r, x)
		check(h.t, "Get B", getPolicy(h, q.ARN), q)
		check(h.t, "Get aws", getPolicy(h, r.ARN), r)
	}},
	{"AWSManaged", func(h *harness) {
		p, v := h.policy(awsAccount, "/", "ReadOnlyAccess")
		if p.ARN != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			h.t.Fatalf("fixture ARN %s", p.ARN)
		}
		h.mustCreatePolicy(p, v)
		got := getPolicy(h, p.ARN)
		check(h.t, "Get", got, p)
		q, w := h.policy(awsAccount, "/service-role/", "readonlyaccess")
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Policies().Create(q, w) })
		// Attachable to any account's entities.
		user, _, _ := h.entities()
		h.do(func(tx store.Tx) error { return tx.Policies().Attach(store.Attachment{Entity: user, PolicyARN: p.ARN}) })
		att := get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(user) })
		check(h.t, "Attached", att, []store.ManagedPolicy{p})
	}},
	{"UnknownAccount", func(h *harness) {
		p, v := h.policy("999999999999", "/", "Readers")
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Policies().Create(p, v) })
	}},
	{"NotFound", func(h *harness) {
		p, v := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p, v)
		missing := "arn:aws:iam::" + acctA + ":policy/Writers"
		for _, c := range []struct {
			what string
			fn   func(tx store.Tx) error
		}{
			{"Get", func(tx store.Tx) error { _, err := tx.Policies().Get(missing); return err }},
			{"Get other case", func(tx store.Tx) error { _, err := tx.Policies().Get(strings.ToUpper(p.ARN)); return err }},
			{"Update", func(tx store.Tx) error {
				q, _ := h.policy(acctA, "/", "Writers")
				return tx.Policies().Update(q)
			}},
			{"Delete", func(tx store.Tx) error { return tx.Policies().Delete(missing) }},
			{"AddVersion", func(tx store.Tx) error {
				return tx.Policies().AddVersion(store.PolicyVersion{PolicyARN: missing, VersionID: "v2", Document: doc("*")})
			}},
			{"GetVersion of missing policy", func(tx store.Tx) error { _, err := tx.Policies().GetVersion(missing, "v1"); return err }},
			{"GetVersion missing", func(tx store.Tx) error { _, err := tx.Policies().GetVersion(p.ARN, "v2"); return err }},
			{"Versions", func(tx store.Tx) error { _, err := tx.Policies().Versions(missing); return err }},
			{"DeleteVersion of missing policy", func(tx store.Tx) error { return tx.Policies().DeleteVersion(missing, "v2") }},
			{"DeleteVersion missing", func(tx store.Tx) error { return tx.Policies().DeleteVersion(p.ARN, "v2") }},
			{"AttachedTo", func(tx store.Tx) error { _, err := tx.Policies().AttachedTo(missing); return err }},
		} {
			h.failsAs(c.what, store.ErrNotFound, c.fn)
		}
	}},
	{"List", func(h *harness) {
		create := func(acct, path, name string) string {
			p, v := h.policy(acct, path, name)
			h.mustCreatePolicy(p, v)
			return p.ARN
		}
		arnA := func(path, name string) string { return "arn:aws:iam::" + acctA + ":policy" + path + name }
		arnAWS := func(path, name string) string { return "arn:aws:iam::aws:policy" + path + name }
		create(acctA, "/team/", "gamma")
		create(acctA, "/", "Alpha")
		create(acctA, "/team/x/", "beta")
		create(acctA, "/", "ReadOnlyAccess")
		create(awsAccount, "/", "ReadOnlyAccess") // same name: ordered by ARN after the name
		create(awsAccount, "/service-role/", "AWSLambdaRole")
		create(acctB, "/", "Aardvark")
		for _, c := range []struct {
			includeAWS bool
			prefix     string
			page       store.Page
			want       []string // ARNs
			more       bool
		}{
			{false, "", store.Page{}, []string{arnA("/", "Alpha"), arnA("/team/x/", "beta"), arnA("/team/", "gamma"), arnA("/", "ReadOnlyAccess")}, false},
			{true, "", store.Page{}, []string{
				arnA("/", "Alpha"), arnAWS("/service-role/", "AWSLambdaRole"), arnA("/team/x/", "beta"), arnA("/team/", "gamma"),
				arnA("/", "ReadOnlyAccess"), arnAWS("/", "ReadOnlyAccess"),
			}, false},
			{true, "", store.Page{Max: 2}, []string{arnA("/", "Alpha"), arnAWS("/service-role/", "AWSLambdaRole")}, true},
			{true, "", store.Page{Marker: arnAWS("/service-role/", "AWSLambdaRole"), Max: 2}, []string{arnA("/team/x/", "beta"), arnA("/team/", "gamma")}, true},
			{false, "", store.Page{Marker: arnA("/", "Alpha"), Max: 2}, []string{arnA("/team/x/", "beta"), arnA("/team/", "gamma")}, true},
			{true, "", store.Page{Marker: arnA("/team/", "gamma"), Max: 1}, []string{arnA("/", "ReadOnlyAccess")}, true},
			{true, "", store.Page{Marker: arnA("/", "ReadOnlyAccess"), Max: 1}, []string{arnAWS("/", "ReadOnlyAccess")}, false},
			{true, "", store.Page{Marker: arnAWS("/", "ReadOnlyAccess")}, nil, false},
			{false, "/team/", store.Page{}, []string{arnA("/team/x/", "beta"), arnA("/team/", "gamma")}, false},
			{false, "/team/x/", store.Page{}, []string{arnA("/team/x/", "beta")}, false},
			{true, "/service-role/", store.Page{}, []string{arnAWS("/service-role/", "AWSLambdaRole")}, false},
			{false, "/service-role/", store.Page{}, nil, false},
			{false, "/TEAM/", store.Page{}, nil, false},
		} {
			got := list(h, func(tx store.Tx) ([]store.ManagedPolicy, bool, error) {
				return tx.Policies().List(acctA, c.includeAWS, c.prefix, c.page)
			})
			var arns []string
			for _, p := range got.items {
				arns = append(arns, p.ARN)
			}
			what := fmt.Sprintf("List(aws=%v, %q, %+v)", c.includeAWS, c.prefix, c.page)
			checkNames(h.t, what, arns, c.want)
			if got.more != c.more {
				h.t.Errorf("%s: more = %v, want %v", what, got.more, c.more)
			}
		}
		// Full values, and the other account.
		got := list(h, func(tx store.Tx) ([]store.ManagedPolicy, bool, error) {
			return tx.Policies().List(acctB, false, "/", store.Page{})
		})
		check(h.t, "List B", got.items, []store.ManagedPolicy{getPolicy(h, "arn:aws:iam::"+acctB+":policy/Aardvark")})
	}},
	{"ListDefaultMax", func(h *harness) {
		h.do(func(tx store.Tx) error {
			for i := range 101 {
				p, v := h.policy(acctA, "/", fmt.Sprintf("p%03d", i))
				if err := tx.Policies().Create(p, v); err != nil {
					return err
				}
			}
			return nil
		})
		got := list(h, func(tx store.Tx) ([]store.ManagedPolicy, bool, error) {
			return tx.Policies().List(acctA, true, "", store.Page{})
		})
		if len(got.items) != 100 || !got.more {
			h.t.Fatalf("List with Max 0: got %d, more = %v; want 100, more", len(got.items), got.more)
		}
		got = list(h, func(tx store.Tx) ([]store.ManagedPolicy, bool, error) {
			return tx.Policies().List(acctA, true, "", store.Page{Marker: got.items[99].ARN})
		})
		checkNames(h.t, "second page", names(got.items), []string{"p100"})
	}},
	{"Update", func(h *harness) {
		p, v := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p, v)
		h.do(func(tx store.Tx) error {
			return tx.Policies().AddVersion(store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v2", Document: doc("*"), CreatedAt: at(40)})
		})
		p.Description = "changed"
		p.DefaultVersionID = "v2"
		p.Tags = []store.Tag{{Key: "k", Value: "v"}}
		p.UpdatedAt = at(40)
		p.NextVersion = 3
		h.do(func(tx store.Tx) error { return tx.Policies().Update(p) })
		check(h.t, "Get", getPolicy(h, p.ARN), p)
		p.Tags = nil
		p.UpdatedAt = time.Time{}
		h.do(func(tx store.Tx) error { return tx.Policies().Update(p) })
		check(h.t, "Get", getPolicy(h, p.ARN), p)
		// The default version must exist.
		q := p
		q.DefaultVersionID = "v9"
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Policies().Update(q) })
		check(h.t, "Get", getPolicy(h, p.ARN), p)
	}},
	{"Delete", func(h *harness) {
		user, group, _ := h.entities()
		p, v := h.policy(acctA, "/", "Readers")
		q, w := h.policy(acctA, "/", "Writers")
		h.mustCreatePolicy(p, v)
		h.mustCreatePolicy(q, w)
		h.do(func(tx store.Tx) error {
			if err := tx.Policies().AddVersion(store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v2", Document: doc("*"), CreatedAt: at(40)}); err != nil {
				return err
			}
			for _, a := range []store.Attachment{{Entity: user, PolicyARN: p.ARN}, {Entity: group, PolicyARN: p.ARN}, {Entity: user, PolicyARN: q.ARN}} {
				if err := tx.Policies().Attach(a); err != nil {
					return err
				}
			}
			return nil
		})
		h.do(func(tx store.Tx) error { return tx.Policies().Delete(p.ARN) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Policies().Get(p.ARN); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Policies().GetVersion(p.ARN, "v2"); return err })
		att := get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(user) })
		check(h.t, "Attached", att, []store.ManagedPolicy{q})
		// A new policy of the same name starts with one version and no attachments.
		p2, v2 := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p2, v2)
		vs := get(h, func(tx store.Tx) ([]store.PolicyVersion, error) { return tx.Policies().Versions(p2.ARN) })
		check(h.t, "Versions", vs, []store.PolicyVersion{v2})
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(p2.ARN) })
		check(h.t, "AttachedTo", ents, []store.Entity{})
	}},
	{"Versions", func(h *harness) {
		p, v1 := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p, v1)
		v2 := store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v2", Document: doc("ecr-public:*"), CreatedAt: at(41)}
		v3 := store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v3", Document: doc("iam:*"), CreatedAt: at(42)}
		v4 := store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v4", Document: doc("sts:*"), CreatedAt: at(43)}
		versions := func() []store.PolicyVersion {
			return get(h, func(tx store.Tx) ([]store.PolicyVersion, error) { return tx.Policies().Versions(p.ARN) })
		}
		h.do(func(tx store.Tx) error {
			if err := tx.Policies().AddVersion(v2); err != nil {
				return err
			}
			return tx.Policies().AddVersion(v3)
		})
		check(h.t, "Versions", versions(), []store.PolicyVersion{v1, v2, v3})
		check(h.t, "GetVersion", get(h, func(tx store.Tx) (store.PolicyVersion, error) { return tx.Policies().GetVersion(p.ARN, "v2") }), v2)
		h.fails(store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Policies().AddVersion(v2) })
		h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.Policies().DeleteVersion(p.ARN, "v1") })

		h.do(func(tx store.Tx) error { return tx.Policies().DeleteVersion(p.ARN, "v2") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Policies().GetVersion(p.ARN, "v2"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Policies().DeleteVersion(p.ARN, "v2") })
		// Never renumbered.
		h.do(func(tx store.Tx) error { return tx.Policies().AddVersion(v4) })
		check(h.t, "Versions", versions(), []store.PolicyVersion{v1, v3, v4})

		// Once another version is the default, v1 can go.
		p.DefaultVersionID = "v4"
		h.do(func(tx store.Tx) error { return tx.Policies().Update(p) })
		h.do(func(tx store.Tx) error { return tx.Policies().DeleteVersion(p.ARN, "v1") })
		h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.Policies().DeleteVersion(p.ARN, "v4") })
		check(h.t, "Versions", versions(), []store.PolicyVersion{v3, v4})
		// Versions belong to their policy.
		q, w := h.policy(acctA, "/", "Writers")
		h.mustCreatePolicy(q, w)
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Policies().GetVersion(q.ARN, "v3"); return err })
	}},
	{"Attach", func(h *harness) {
		user, group, role := h.entities()
		p, v := h.policy(acctA, "/", "Readers")
		q, w := h.policy(acctA, "/", "Auditors")
		h.mustCreatePolicy(p, v)
		h.mustCreatePolicy(q, w)
		h.do(func(tx store.Tx) error {
			for _, a := range []store.Attachment{
				{Entity: user, PolicyARN: p.ARN},
				{Entity: user, PolicyARN: p.ARN}, // idempotent
				{Entity: store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "ALICE"}, PolicyARN: p.ARN},
				{Entity: user, PolicyARN: q.ARN},
				{Entity: group, PolicyARN: p.ARN},
				{Entity: role, PolicyARN: p.ARN},
			} {
				if err := tx.Policies().Attach(a); err != nil {
					return err
				}
			}
			return nil
		})
		att := get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(user) })
		check(h.t, "Attached(user)", att, []store.ManagedPolicy{q, p}) // by name
		att = get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(role) })
		check(h.t, "Attached(role)", att, []store.ManagedPolicy{p})
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(p.ARN) })
		checkEntities(h, "AttachedTo", ents, []store.Entity{user, group, role})
		ents = get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(q.ARN) })
		checkEntities(h, "AttachedTo", ents, []store.Entity{user})

		h.do(func(tx store.Tx) error {
			return tx.Policies().Detach(store.Attachment{Entity: store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "Alice"}, PolicyARN: p.ARN})
		})
		att = get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(user) })
		check(h.t, "Attached(user) after Detach", att, []store.ManagedPolicy{q})
		ents = get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(p.ARN) })
		checkEntities(h, "AttachedTo after Detach", ents, []store.Entity{group, role})
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Policies().Detach(store.Attachment{Entity: user, PolicyARN: p.ARN}) })
	}},
	{"AttachNotFound", func(h *harness) {
		user, _, _ := h.entities()
		p, v := h.policy(acctA, "/", "Readers")
		h.mustCreatePolicy(p, v)
		missingPolicy := "arn:aws:iam::" + acctA + ":policy/Writers"
		nobody := store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "nobody"}
		devsAsUser := store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "devs"} // a group, not a user
		otherAccount := store.Entity{AccountID: acctB, Kind: store.KindUser, Name: "alice"}
		for _, c := range []struct {
			what string
			fn   func(tx store.Tx) error
		}{
			{"Attach missing policy", func(tx store.Tx) error {
				return tx.Policies().Attach(store.Attachment{Entity: user, PolicyARN: missingPolicy})
			}},
			{"Attach missing entity", func(tx store.Tx) error {
				return tx.Policies().Attach(store.Attachment{Entity: nobody, PolicyARN: p.ARN})
			}},
			{"Attach wrong kind", func(tx store.Tx) error {
				return tx.Policies().Attach(store.Attachment{Entity: devsAsUser, PolicyARN: p.ARN})
			}},
			{"Attach other account", func(tx store.Tx) error {
				return tx.Policies().Attach(store.Attachment{Entity: otherAccount, PolicyARN: p.ARN})
			}},
			{"Detach missing policy", func(tx store.Tx) error {
				return tx.Policies().Detach(store.Attachment{Entity: user, PolicyARN: missingPolicy})
			}},
			{"Detach missing entity", func(tx store.Tx) error {
				return tx.Policies().Detach(store.Attachment{Entity: nobody, PolicyARN: p.ARN})
			}},
			{"Detach not attached", func(tx store.Tx) error {
				return tx.Policies().Detach(store.Attachment{Entity: user, PolicyARN: p.ARN})
			}},
			{"Attached missing entity", func(tx store.Tx) error { _, err := tx.Policies().Attached(nobody); return err }},
		} {
			h.failsAs(c.what, store.ErrNotFound, c.fn)
		}
		att := get(h, func(tx store.Tx) ([]store.ManagedPolicy, error) { return tx.Policies().Attached(user) })
		check(h.t, "Attached with none", att, []store.ManagedPolicy{})
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(p.ARN) })
		check(h.t, "AttachedTo with none", ents, []store.Entity{})
	}},
	{"Inline", func(h *harness) {
		user, group, role := h.entities()
		put := func(e store.Entity, name, document string) {
			h.t.Helper()
			h.do(func(tx store.Tx) error {
				return tx.Policies().PutInline(store.InlinePolicy{Entity: e, Name: name, Document: document})
			})
		}
		put(user, "s3", doc("s3:*"))
		put(user, "Admin", doc("*"))
		put(group, "s3", doc("ecr-public:*"))
		got := get(h, func(tx store.Tx) (store.InlinePolicy, error) { return tx.Policies().GetInline(user, "S3") })
		check(h.t, "GetInline", got, store.InlinePolicy{Entity: user, Name: "s3", Document: doc("s3:*")})
		// Put replaces, whatever the case.
		put(user, "S3", doc("iam:*"))
		ps := get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(user) })
		if len(ps) != 2 || ps[0].Name != "Admin" || !strings.EqualFold(ps[1].Name, "s3") || ps[1].Document != doc("iam:*") {
			h.t.Errorf("ListInline after replacing s3 with S3: got %+v, want Admin, then s3 with the new document", ps)
		}
		// Same names, other entities: untouched.
		ps = get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(group) })
		check(h.t, "ListInline(group)", ps, []store.InlinePolicy{{Entity: group, Name: "s3", Document: doc("ecr-public:*")}})
		ps = get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(role) })
		check(h.t, "ListInline(role)", ps, []store.InlinePolicy{})
		// Entities found in any case carry their stored name.
		upper := store.Entity{AccountID: acctA, Kind: store.KindGroup, Name: "DEVS"}
		ps = get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(upper) })
		check(h.t, "ListInline(DEVS)", ps, []store.InlinePolicy{{Entity: group, Name: "s3", Document: doc("ecr-public:*")}})

		h.do(func(tx store.Tx) error { return tx.Policies().DeleteInline(user, "s3") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Policies().GetInline(user, "s3"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.Policies().DeleteInline(user, "s3") })
		ps = get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(user) })
		check(h.t, "ListInline after DeleteInline", ps, []store.InlinePolicy{{Entity: user, Name: "Admin", Document: doc("*")}})
		get(h, func(tx store.Tx) (store.InlinePolicy, error) { return tx.Policies().GetInline(group, "s3") })
	}},
	{"InlineNotFound", func(h *harness) {
		h.entities()
		nobody := store.Entity{AccountID: acctA, Kind: store.KindRole, Name: "alice"} // alice is a user
		for _, c := range []struct {
			what string
			fn   func(tx store.Tx) error
		}{
			{"PutInline", func(tx store.Tx) error {
				return tx.Policies().PutInline(store.InlinePolicy{Entity: nobody, Name: "p", Document: doc("*")})
			}},
			{"GetInline missing entity", func(tx store.Tx) error { _, err := tx.Policies().GetInline(nobody, "p"); return err }},
			{"GetInline missing policy", func(tx store.Tx) error {
				_, err := tx.Policies().GetInline(store.Entity{AccountID: acctA, Kind: store.KindUser, Name: "alice"}, "p")
				return err
			}},
			{"ListInline", func(tx store.Tx) error { _, err := tx.Policies().ListInline(nobody); return err }},
			{"DeleteInline", func(tx store.Tx) error { return tx.Policies().DeleteInline(nobody, "p") }},
			{"DeleteEntityPolicies", func(tx store.Tx) error { return tx.Policies().DeleteEntityPolicies(nobody) }},
		} {
			h.failsAs(c.what, store.ErrNotFound, c.fn)
		}
	}},
	{"DeleteEntityPolicies", func(h *harness) {
		user, group, role := h.entities()
		p := h.withPolicies(user)
		h.withPolicies(group)
		h.withPolicies(role)
		h.do(func(tx store.Tx) error { return tx.Policies().DeleteEntityPolicies(user) })
		h.checkBare(user)
		ents := get(h, func(tx store.Tx) ([]store.Entity, error) { return tx.Policies().AttachedTo(p.ARN) })
		checkEntities(h, "AttachedTo", ents, []store.Entity{group, role})
		ps := get(h, func(tx store.Tx) ([]store.InlinePolicy, error) { return tx.Policies().ListInline(group) })
		check(h.t, "ListInline(group)", ps, []store.InlinePolicy{{Entity: group, Name: "inline", Document: doc("iam:Get*")}})
		// The entity and the managed policy stay; with nothing left, it is a no-op.
		get(h, func(tx store.Tx) (store.User, error) { return tx.Users().Get(acctA, "alice") })
		getPolicy(h, p.ARN)
		h.do(func(tx store.Tx) error { return tx.Policies().DeleteEntityPolicies(user) })
	}},
}

// checkEntities compares entities in any order: the contract does not order AttachedTo.
func checkEntities(h *harness, what string, got, want []store.Entity) {
	h.t.Helper()
	key := func(a, b store.Entity) int {
		return strings.Compare(a.AccountID+"/"+string(a.Kind)+"/"+a.Name, b.AccountID+"/"+string(b.Kind)+"/"+b.Name)
	}
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, key)
	slices.SortFunc(want, key)
	check(h.t, what, got, want)
}
