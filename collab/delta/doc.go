// Package delta is Quill's rich-text Delta format and its operational
// transformation, in pure Go, giving the same results as the npm package
// quill-delta 5.1.0 that the browser editor uses.
//
// A Delta is a list of ops. A document is a Delta of inserts only; a change
// is a Delta of inserts, retains and deletes that walks over a document from
// its start. Compose, Transform, TransformPosition, Invert, Diff, Slice,
// Concat, Push and Chop follow quill-delta op for op: the same merging rules,
// the same tie-breaking, the same normal form. The tests check this against
// quill-delta's own test vectors and, differentially, against quill-delta
// itself running under Node.
//
// Lengths and indexes are counted in UTF-16 code units, as JavaScript counts
// string lengths: an emoji outside the Basic Multilingual Plane counts 2, a
// combining mark counts 1 on its own, a CJK ideograph counts 1, an embed
// counts 1. Text is kept as Go strings and converted on the fly; ASCII text
// takes a fast path where bytes and code units coincide.
//
// quill-delta may cut a string between the two halves of a surrogate pair
// (when a retain ends inside an emoji, say). To stay identical in that case,
// text may hold lone surrogates, encoded in WTF-8 (the three-byte form UTF-8
// forbids); concatenation joins two halves back into one character, and JSON
// encoding writes a lone half as a \uXXXX escape, as JSON.stringify does.
// Validator refuses every change that would cut a pair, so documents stored by
// the server never contain one.
//
// Builder methods (Insert, Delete, Retain, Push, Chop) modify their receiver,
// as quill-delta's do; every other function returns a new Delta and leaves
// its arguments alone. Attribute maps and embed objects are shared between
// deltas, never copied, so treat them as immutable.
package delta
