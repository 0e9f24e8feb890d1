package delta

import (
	"math"
	"reflect"
)

// Attributes maps format names to values, as quill-delta's AttributeMap.
// A nil value is JSON null: in a retain it removes the format. A nil or
// empty map means no attributes (quill-delta's undefined); the functions
// below return nil rather than an empty map.
//
// Values are JSON values: nil, bool, float64 (other Go numbers are accepted
// and compared numerically), string, []any and map[string]any.
type Attributes map[string]any

// Compose returns the attributes of an op with attributes a after a retain
// with attributes b is applied to it, as AttributeMap.compose. Formats set
// to null in b are dropped unless keepNull is set (it is when a belongs to a
// retain, so the removal still applies to the document below).
func (a Attributes) Compose(b Attributes, keepNull bool) Attributes {
	out := make(Attributes, len(a)+len(b))
	for k, v := range b {
		if keepNull || v != nil {
			out[k] = v
		}
	}
	for k, v := range a {
		if _, ok := b[k]; !ok {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Diff returns the attributes that turn a into b, as AttributeMap.diff: a
// format of a that b lacks is set to null.
func (a Attributes) Diff(b Attributes) Attributes {
	out := Attributes{}
	for k, av := range a {
		bv, ok := b[k]
		switch {
		case !ok:
			out[k] = nil
		case !valueEqual(av, bv):
			out[k] = bv
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok {
			out[k] = bv
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Invert returns the attributes that undo applying a to text formatted with
// base, as AttributeMap.invert.
//
// quill-delta compares values with JavaScript's !==, under which two objects
// or arrays are never equal unless they are the same object; Invert treats
// object and array values the same way, which at worst restores a value that
// had not changed.
func (a Attributes) Invert(base Attributes) Attributes {
	out := Attributes{}
	for k, bv := range base {
		if av, ok := a[k]; ok && !strictEqual(bv, av) {
			out[k] = bv
		}
	}
	for k := range a {
		if _, ok := base[k]; !ok {
			out[k] = nil
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Transform returns the attributes b of a concurrent retain, transformed
// against the attributes a applied first, as AttributeMap.transform. With
// priority a wins: formats a sets are dropped from b; without, b overwrites.
func (a Attributes) Transform(b Attributes, priority bool) Attributes {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return nil
	}
	if !priority {
		return b
	}
	out := Attributes{}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// attributesEqual is lodash's isEqual on two attribute maps, with nil and
// empty alike.
func attributesEqual(a, b Attributes) bool {
	return mapEqual(a, map[string]any(b))
}

// valueEqual is lodash's isEqual on JSON values: deep and by value.
func valueEqual(x, y any) bool {
	switch xv := x.(type) {
	case nil:
		return y == nil
	case bool:
		yv, ok := y.(bool)
		return ok && xv == yv
	case string:
		yv, ok := y.(string)
		return ok && xv == yv
	case map[string]any:
		return mapEqual(xv, y)
	case Attributes:
		return mapEqual(xv, y)
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !valueEqual(xv[i], yv[i]) {
				return false
			}
		}
		return true
	}
	if xf, ok := toFloat(x); ok {
		yf, ok := toFloat(y)
		return ok && (xf == yf || math.IsNaN(xf) && math.IsNaN(yf))
	}
	return reflect.DeepEqual(x, y)
}

func mapEqual(x map[string]any, y any) bool {
	var ym map[string]any
	switch yv := y.(type) {
	case map[string]any:
		ym = yv
	case Attributes:
		ym = yv
	default:
		return false
	}
	if len(x) != len(ym) {
		return false
	}
	for k, xv := range x {
		yv, ok := ym[k]
		if !ok || !valueEqual(xv, yv) {
			return false
		}
	}
	return true
}

// strictEqual is JavaScript's === on JSON values: objects and arrays are
// never equal, having been decoded separately.
func strictEqual(x, y any) bool {
	switch xv := x.(type) {
	case nil:
		return y == nil
	case bool:
		yv, ok := y.(bool)
		return ok && xv == yv
	case string:
		yv, ok := y.(string)
		return ok && xv == yv
	}
	if xf, ok := toFloat(x); ok {
		yf, ok := toFloat(y)
		return ok && xf == yf
	}
	return false
}

// toFloat converts a Go number to float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}
