// Package storetest is the conformance suite of store.Store. Every
// implementation — the embedded SQLite store and the PostgreSQL one — runs it
// from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { … a new, empty store … })
//	}
//
// The suite is the contract in executable form. Beyond store.go's comments
// it pins what two implementations must agree on for markers, retries and
// callers to stay portable:
//
//   - IAM listings are ordered by name case-insensitively (policies then by
//     ARN); a marker is the last name (an ARN for policies) of the previous
//     page and need not exist; path prefixes are case-sensitive.
//   - Registry names — aliases, repository names, tags, digests, upload
//     IDs — are case-sensitive (App ≠ app). Registry listings are in byte
//     order, and markers (which need not exist) compare the same way:
//     repositories and tags by name, manifests and referrers by digest, the
//     catalog by "alias/name" as one string (so "ab-c/x" < "ab/x").
//   - Every entity lives in an existing account: creating one in an unknown
//     account is ErrNotFound. A method naming a user, group, role, policy,
//     version or key that does not exist returns ErrNotFound, as do Detach,
//     RemoveMember and DeleteInline when there is nothing to remove. So do
//     registry methods naming a missing repository, manifest (GetManifest,
//     DeleteManifest, TagsOf, PutTag's target), tag, blob link or upload;
//     Referrers of a missing subject and ManifestReferenced of an unlisted
//     digest answer empty and false.
//   - Lookups of users, groups, roles and inline policies by name ignore
//     case, and results carry the stored spelling.
//   - IDs (AIDA…, AGPA…, AROA…, ANPA…, AKIA…), ARNs, registry aliases and
//     upload IDs are unique across accounts.
//   - Deleting a user, group, role, policy or repository takes along
//     everything hanging off it: a new entity of the same name starts with
//     nothing. Deleting a manifest deletes its tags; putting it again under
//     its digest keeps them.
//   - Times come back Equal (to the millisecond at least; registry times to
//     the microsecond) in UTC; the zero time stays zero; nil and empty slices
//     are alike; bytes (manifest content, secrets) come back byte for byte.
//   - Deleting a policy's default version is ErrConflict; Update to a
//     default version that does not exist is ErrNotFound.
//   - Console sessions name their user by name (matched case-insensitively
//     by DeleteForUser; "" is the root user) and ID, with no tie to the
//     user's row: deleting the user leaves them. Session IDs compare
//     exactly. A session whose ExpiresAt is the zero time counts as expired
//     before any time.
//   - An account has at most one credential report: Put replaces it,
//     whatever its time, and touches no other account's. Get before any
//     Put, and either in an account that does not exist, is ErrNotFound.
//   - A method that fails leaves the transaction usable: it undoes only its
//     own writes (statement-level atomicity).
package storetest

import (
	"slices"
	"testing"

	"github.com/wharf-project/wharf/internal/store"
)

// test is one subtest, run on a fresh store holding accounts acctA and acctB.
type test struct {
	name string
	fn   func(h *harness)
}

// Run runs the suite. open returns a new, empty store for each subtest; Run
// closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	suites := []struct {
		name  string
		tests []test
	}{
		{"Tx", txTests},
		{"Accounts", slices.Concat(accountTests, aliasTests, rootPasswordTests)},
		{"Users", userTests},
		{"Groups", groupTests},
		{"Roles", roleTests},
		{"Policies", policyTests},
		{"AccessKeys", accessKeyTests},
		{"Registry", registryTests},
		{"ConsoleSessions", consoleSessionTests},
		{"CredentialReports", credentialReportTests},
		{"SignInFailures", signInFailureTests},
		{"GC", gcTests},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			for _, tc := range s.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.fn(newHarness(t, open))
				})
			}
		})
	}
}
