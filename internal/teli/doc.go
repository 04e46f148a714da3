// Package teli holds the domain of the Teli server: its types, error codes, the rules that need no
// I/O, and the Store interface every storage backend implements. It imports no I/O package, so
// everything here can be tested with plain values.
package teli
