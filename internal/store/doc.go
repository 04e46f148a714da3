// Package store holds what the SQLite and PostgreSQL stores share: the River job queue each
// database runs on its own driver.
package store
