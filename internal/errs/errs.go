// Package errs is the small set of error kinds services return. Adapters turn
// a kind (and, where a protocol has a more precise one, the Code) into their
// protocol's error code and HTTP status through one table each; tests match
// kinds, not strings.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error.
type Kind uint8

// Kinds.
const (
	Internal        Kind = iota // a bug or a broken dependency: never the caller's fault
	Invalid                     // bad input
	NotFound                    // the named thing does not exist
	AlreadyExists               // the name is taken
	Conflict                    // the thing is in use (DeleteConflict)
	LimitExceeded               // a quota
	Denied                      // authorization said no
	Unauthenticated             // no or bad credentials
	Unavailable                 // try again later
)

func (k Kind) String() string {
	return [...]string{"internal", "invalid", "not found", "already exists", "conflict", "limit exceeded", "denied", "unauthenticated", "unavailable"}[k]
}

// Error is a service error.
type Error struct {
	Kind Kind
	// Code is the protocol error code when the service knows a more precise
	// one than its kind gives (MalformedPolicyDocument, ExpiredToken…).
	Code    string
	Message string
	Err     error // the cause, for logs; never shown to callers
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E makes an error of a kind with a formatted message.
func E(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Coded makes an error of a kind with a precise protocol code.
func Coded(k Kind, code, format string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err (Internal when it carries none).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }
