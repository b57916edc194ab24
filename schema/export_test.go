package schema

// The two readers of DecodeRawResultBatch, for the tests of package
// schema_test.
var (
	ReadCanonical = readCanonical
	DecodeGeneral = decodeGeneral
)
