// Package store is teli.Store, written once for every database. It holds every statement both
// engines run alike, the shape of every transaction, and the rules a write carries out (what a
// campaign's new status does to its messages is teli.EffectsOf; this package applies it). It
// runs on a Dialect — package sqlite or package postgres — which contributes only what differs
// between engines: opening connections, how times and booleans are stored, a few SQL fragments
// (row locks, list parameters, an index hint) and the two hot statements of the outbox, where
// each engine has a faster spelling of its own (claiming due messages, recording their outcomes).
//
// Statements use numbered placeholders ($1, …), which both engines accept. A dialect's Conn
// speaks Go values (time.Time in UTC, bool, *string for NULL), so scanning code is written
// once too. The conformance suite in package storetest proves both dialects behave alike.
//
// Each database also has a River job queue (JobQueue); jobs inserted through a transaction
// exist exactly when it commits.
package store
