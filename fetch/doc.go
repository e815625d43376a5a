// Package fetch reads Keep's secrets from AWS Secrets Manager, and holds
// what reads and writes share:
//
//   - the naming and tag rules: which secrets belong to a namespace and
//     environment (Target.Match), how their names are built
//     (Target.SecretName), which KEYs keep writes (ValidKey) and which
//     PATHs a template placeholder may name (ValidPath);
//   - the reads: every secret of a target, listed and fetched in batches
//     (Fetcher.List), secrets by name (Fetcher.ByName, Session.ByName),
//     names only (Keys, Occupied), and one secret's versions and
//     replication (Conn.Get, Conn.History, Conn.Replication);
//   - the client: NewClient, Session (one client per region, shared) and
//     Conn (one target in one region), the interfaces over the SDK client
//     (api.go), and the errors, which say what to do next (CallError).
//
// Writes, and the tags and description they put on a secret, are in
// package write.
//
// Listing narrows with server-side filters, which are prefix matches; the
// exact decision is always made here, on the tags ListSecrets returns.
package fetch
