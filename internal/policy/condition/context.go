package condition

import (
	"sort"
	"strings"
)

// Context holds the request context: the condition keys AWS would supply with a
// request and their values. Key names are case-insensitive; values are not.
// A key may carry several values (multivalued keys such as aws:TagKeys).
//
// A Context is filled before evaluation and only read during it, so one
// Context may be shared by concurrent evaluations.
type Context struct {
	values map[string][]string // lower-cased key → values
	names  map[string]string   // lower-cased key → the name as first given
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{values: map[string][]string{}, names: map[string]string{}}
}

// Set gives key its values, replacing any it had.
func (c *Context) Set(key string, values ...string) {
	lk := strings.ToLower(key)
	c.values[lk] = values
	if _, ok := c.names[lk]; !ok {
		c.names[lk] = key
	}
}

// SetDefault sets key only when it has no values yet.
func (c *Context) SetDefault(key string, values ...string) {
	if !c.Has(key) {
		c.Set(key, values...)
	}
}

// Delete removes key.
func (c *Context) Delete(key string) {
	lk := strings.ToLower(key)
	delete(c.values, lk)
	delete(c.names, lk)
}

// Get returns key's values; ok is false when the key is absent.
func (c *Context) Get(key string) (values []string, ok bool) {
	if c == nil {
		return nil, false
	}
	values, ok = c.values[strings.ToLower(key)]
	return values, ok
}

// lookup is Get for a key already in lower case (the hot path).
func (c *Context) lookup(lowerKey string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.values[lowerKey]
	return v, ok
}

// Has reports whether key is present with at least one value.
func (c *Context) Has(key string) bool {
	v, ok := c.Get(key)
	return ok && len(v) > 0
}

// Variable resolves a policy variable: a key with exactly one value.
func (c *Context) Variable(lowerKey string) (string, bool) {
	v, ok := c.lookup(lowerKey)
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// Keys returns the key names, as first given, sorted case-insensitively.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	keys := make([]string, 0, len(c.names))
	for _, name := range c.names {
		keys = append(keys, name)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.ToLower(keys[i]) < strings.ToLower(keys[j]) })
	return keys
}

// Clone returns a copy that can be changed without affecting c.
func (c *Context) Clone() *Context {
	n := NewContext()
	if c == nil {
		return n
	}
	for k, v := range c.values {
		n.values[k] = append([]string(nil), v...)
	}
	for k, v := range c.names {
		n.names[k] = v
	}
	return n
}
