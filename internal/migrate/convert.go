package migrate

import (
	"encoding/json"
	"fmt"
	"time"
)

// A converter turns a value read from SQLite (nil, int64, float64, string
// or []byte) into what pgx writes into the target column. NULL stays NULL.
type converter func(v any) (any, error)

// converterFor returns the converter into a target column of the given
// information_schema data_type (and udt_name, for arrays). The stores'
// conventions (see their package comments): times are unix microseconds in
// SQLite and TIMESTAMPTZ in PostgreSQL, booleans 0/1 and BOOLEAN, tags JSON
// text and JSONB, a manifest's blobs a JSON array and TEXT[], bytes BLOB and
// BYTEA. A type not listed here is refused, not guessed at.
func converterFor(dataType, udtName string) (converter, error) {
	switch dataType {
	case "timestamp with time zone", "timestamp without time zone":
		return toTime, nil
	case "boolean":
		return toBool, nil
	case "json", "jsonb":
		return toJSONText, nil
	case "ARRAY":
		if udtName == "_text" || udtName == "_varchar" {
			return toStrings, nil
		}
	case "bytea":
		return toBytes, nil
	case "smallint", "integer", "bigint":
		return toInt, nil
	case "text", "character varying", "character":
		return toText, nil
	case "double precision", "real", "numeric":
		return toNumber, nil
	}
	return nil, fmt.Errorf("no conversion into the PostgreSQL type %s (%s)", dataType, udtName)
}

func wrongType(v any, want string) error {
	return fmt.Errorf("holds a %T, want %s", v, want)
}

// toTime: unix microseconds, as the SQLite store keeps times, in UTC.
func toTime(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return time.UnixMicro(v).UTC(), nil
	}
	return nil, wrongType(v, "an integer of unix microseconds")
}

func toBool(v any) (any, error) {
	switch v {
	case nil:
		return nil, nil
	case int64(0):
		return false, nil
	case int64(1):
		return true, nil
	}
	return nil, wrongType(v, "0 or 1")
}

// toJSONText passes JSON text through as such (pgx sends a string to a
// json or jsonb column as the document, not as a JSON string); the target
// checks that it parses.
func toJSONText(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return nil, wrongType(v, "JSON text")
}

// toStrings: a JSON array of strings (or null) into TEXT[]; never NULL for
// a non-NULL value, as the SQLite store writes [] for none.
func toStrings(v any) (any, error) {
	var text string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return nil, wrongType(v, "a JSON array of strings")
	}
	var ss []string
	if err := json.Unmarshal([]byte(text), &ss); err != nil {
		return nil, fmt.Errorf("is not a JSON array of strings: %w", err)
	}
	if ss == nil {
		ss = []string{}
	}
	return ss, nil
}

func toBytes(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	}
	return nil, wrongType(v, "bytes")
}

func toInt(v any) (any, error) {
	switch v := v.(type) {
	case nil, int64:
		return v, nil
	}
	return nil, wrongType(v, "an integer")
}

func toText(v any) (any, error) {
	switch v := v.(type) {
	case nil, string:
		return v, nil
	}
	return nil, wrongType(v, "text")
}

func toNumber(v any) (any, error) {
	switch v := v.(type) {
	case nil, int64, float64:
		return v, nil
	}
	return nil, wrongType(v, "a number")
}
