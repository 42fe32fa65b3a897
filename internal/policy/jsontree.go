package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// node is one JSON value with its place in the source, so that errors, findings
// and matched statements can point at line and column. encoding/json's decoders
// lose both positions and duplicate keys, which IAM rejects; this tree keeps them.
type node struct {
	kind    nodeKind
	start   int // byte offset of the value's first byte
	end     int // byte offset just past the value
	str     string
	num     json.Number
	boolean bool
	members []member // object, in source order
	items   []*node  // array
}

type member struct {
	key     string
	keyPos  int
	value   *node
	keyNode *node
}

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindString
	kindNumber
	kindBool
	kindObject
	kindArray
)

func (k nodeKind) String() string {
	return [...]string{"null", "string", "number", "boolean", "object", "array"}[k]
}

// parseTree parses one JSON document. The error names the line and column.
func parseTree(src []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	p := &treeParser{src: src, dec: dec}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	after := int(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		return nil, p.errorAt(skipSpace(src, after), "unexpected data after the policy document")
	}
	return n, nil
}

type treeParser struct {
	src []byte
	dec *json.Decoder
}

// maxDepth bounds nesting; IAM documents are never deeper than a handful.
const maxDepth = 32

func (p *treeParser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, p.errorAt(int(p.dec.InputOffset()), "the document is nested too deeply")
	}
	before := int(p.dec.InputOffset())
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err, before)
	}
	start := skipSeparators(p.src, before)
	n := &node{start: start}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = kindObject
			seen := map[string]bool{}
			for p.dec.More() {
				keyBefore := int(p.dec.InputOffset())
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err, keyBefore)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, p.errorAt(keyBefore, "an object key must be a string")
				}
				keyPos := skipSeparators(p.src, keyBefore)
				if seen[key] {
					return nil, p.errorAt(keyPos, fmt.Sprintf("duplicate key %q", key))
				}
				seen[key] = true
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				kn := &node{kind: kindString, str: key, start: keyPos, end: keyPos + len(strconv.Quote(key))}
				n.members = append(n.members, member{key: key, keyPos: keyPos, value: v, keyNode: kn})
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err, int(p.dec.InputOffset()))
			}
		case '[':
			n.kind = kindArray
			n.items = []*node{}
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err, int(p.dec.InputOffset()))
			}
		default:
			return nil, p.errorAt(start, fmt.Sprintf("unexpected %q", t))
		}
	case string:
		n.kind, n.str = kindString, t
	case json.Number:
		n.kind, n.num = kindNumber, t
	case bool:
		n.kind, n.boolean = kindBool, t
	case nil:
		n.kind = kindNull
	}
	n.end = int(p.dec.InputOffset())
	return n, nil
}

func skipSpace(src []byte, off int) int {
	for off < len(src) && (src[off] == ' ' || src[off] == '\t' || src[off] == '\n' || src[off] == '\r') {
		off++
	}
	return off
}

func skipSeparators(src []byte, off int) int {
	for off < len(src) {
		switch src[off] {
		case ' ', '\t', '\n', '\r', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (p *treeParser) syntax(err error, off int) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// A Decoder's SyntaxError.Offset is not always the offending byte (at the
		// start of the document and inside literals and escapes it is off);
		// json.Unmarshal's is always one past it, so ask Unmarshal where.
		off = int(se.Offset)
		var raw json.RawMessage
		if uerr := json.Unmarshal(p.src, &raw); errors.As(uerr, &se) {
			off = int(se.Offset)
			if strings.HasPrefix(se.Error(), "invalid character") && off > 0 {
				off--
			}
		}
		return p.errorAt(off, "JSON syntax error: "+se.Error())
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return p.errorAt(len(p.src), "JSON syntax error: the document ends too early")
	}
	return p.errorAt(off, "JSON syntax error: "+err.Error())
}

func (p *treeParser) errorAt(off int, msg string) error {
	line, col := lineColumn(p.src, off)
	return &SyntaxError{Code: "JSON_SYNTAX_ERROR", Rule: msg, Line: line, Column: col, Offset: off, JSON: true}
}

// lineColumn turns a byte offset into a 1-based line and column.
func lineColumn(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, col = 1, 1
	for _, c := range src[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
