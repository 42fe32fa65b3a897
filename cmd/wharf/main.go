// Command wharf is the one Wharf binary: a self-hosted container registry that
// speaks the Amazon ECR Public and OCI Distribution APIs, guarded by an
// AWS-IAM-compatible access-control plane.
//
//	wharf serve                     run the server (embedded SQLite under ./wharf-data)
//	wharf policy validate FILE…     check policies as IAM Access Analyzer does
//	wharf policy simulate …         the offline twin of aws iam simulate-custom-policy
//	wharf policy test FILE.jsonl    run policy test cases
//
// Concrete types are wired here and nowhere else.
package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, now: time.Now}))
}

// env is what a command may touch, so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
}

const usage = `wharf: a self-hosted, ECR Public and IAM compatible container registry

Usage:
  wharf serve [--addr HOST:PORT] [--data-dir DIR] [--public-url URL] [--account-id ID] [options]
  wharf policy validate [--type identity|resource|trust] [--output text|json] FILE...
  wharf policy simulate --policy FILE... --action NAME... [--resource ARN...] [options]
  wharf policy test [--output text|json] FILE.jsonl...
  wharf admin create-account --account-id ID [--data-dir DIR]
  wharf admin list-accounts [--data-dir DIR]
  wharf admin gc [--dry-run] [--grace 1h] [--delete-untagged] [--scan-store] [--data-dir DIR]
  wharf admin migrate --data-dir DIR --to-database-url URL --to-blob-store s3://…
  wharf admin set-root-password --account-id ID [--data-dir DIR] < password
  wharf help

Run "wharf policy help" for the policy commands' options.
`

// Exit codes: 0 success, 1 the command ran and found a failure (an ERROR
// finding, a failing test case), 2 the command could not run (bad usage, an
// unreadable file).
func run(args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], e)
	case "policy":
		return runPolicy(args[1:], e)
	case "admin":
		return runAdmin(args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return 0
	}
	fmt.Fprintf(e.stderr, "wharf: unknown command %q\n\n%s", args[0], usage)
	return 2
}
