package smfake

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The write operations keep uses — DescribeSecret, CreateSecret,
// PutSecretValue, TagResource, UntagResource, DeleteSecret and
// RestoreSecret — with Secrets Manager's answers for a missing, existing
// or deleted secret.

// Get returns a copy of the secret named name, as the fake holds it now.
func (s *Server) Get(name string) (Secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		return Secret{}, false
	}
	c := *sec
	c.Tags = maps.Clone(sec.Tags)
	c.Replicas = slices.Clone(sec.Replicas)
	c.Versions = slices.Clone(sec.Versions)
	return c, true
}

// find is lookup with s.mu held: by name, or by ARN (whose name is the
// part between ":secret:" and the "-XXXXXX" suffix).
func (s *Server) find(id string) *Secret {
	if sec, ok := s.secrets[id]; ok {
		return sec
	}
	_, rest, ok := strings.Cut(id, ":secret:")
	if !ok || len(rest) < 8 {
		return nil
	}
	if sec, ok := s.secrets[rest[:len(rest)-7]]; ok && ARN(sec.Name) == id {
		return sec
	}
	return nil
}

// secretName is the secret a request names by SecretId or Name (an ARN
// resolved to its name), or "".
func (s *Server) secretName(body []byte) string {
	var in struct{ SecretId, Name string }
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	id := in.SecretId
	if id == "" {
		id = in.Name
	}
	if sec := s.lookup(id); sec != nil {
		return sec.Name
	}
	return id
}

// versionID is the VersionId of sec's current version.
func versionID(sec *Secret) string { return "v" + strconv.Itoa(len(sec.Versions)+1) }

func notFound() *Fault {
	return &Fault{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
}

func markedForDeletion() *Fault {
	return &Fault{Code: "InvalidRequestException", Message: "You can't perform this operation on the secret because it was marked for deletion."}
}

// decode is body as an In; a malformed body is InvalidParameterException.
func decode[In any](body []byte) (In, *Fault) {
	var in In
	if err := json.Unmarshal(body, &in); err != nil {
		return in, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	return in, nil
}

// secretRef is the SecretId of a request on one secret; an operation's
// input embeds it to be answered by withSecret.
type secretRef struct{ SecretId string }

func (r secretRef) secretID() string { return r.SecretId }

// withSecret answers a request on one secret, in any state: it decodes
// body (see decode), finds the secret the SecretId names (by name or ARN;
// none is ResourceNotFoundException) and returns what do returns, called
// with s.mu held.
func withSecret[In interface{ secretID() string }](s *Server, body []byte, do func(In, *Secret) (any, *Fault)) (any, *Fault) {
	in, fault := decode[In](body)
	if fault != nil {
		return nil, fault
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.secretID())
	if sec == nil {
		return nil, notFound()
	}
	return do(in, sec)
}

// withLiveSecret is withSecret for operations refused on a secret
// scheduled for deletion (InvalidRequestException).
func withLiveSecret[In interface{ secretID() string }](s *Server, body []byte, do func(In, *Secret) (any, *Fault)) (any, *Fault) {
	return withSecret(s, body, func(in In, sec *Secret) (any, *Fault) {
		if sec.Deleted {
			return nil, markedForDeletion()
		}
		return do(in, sec)
	})
}

func tagList(tags map[string]string) []tag {
	var out []tag
	for k, v := range tags {
		out = append(out, tag{k, v})
	}
	return out
}

type writeOut struct {
	ARN       string
	Name      string
	VersionId string `json:",omitempty"`
}

func (s *Server) describeSecret(body []byte) (any, *Fault) {
	return withSecret(s, body, func(_ secretRef, sec *Secret) (any, *Fault) {
		type replicationStatus struct {
			Region        string
			KmsKeyId      string `json:",omitempty"`
			Status        string
			StatusMessage string `json:",omitempty"`
		}
		out := struct {
			listEntry
			KmsKeyId           string              `json:",omitempty"`
			Description        string              `json:",omitempty"`
			ReplicationStatus  []replicationStatus `json:",omitempty"`
			VersionIdsToStages map[string][]string `json:",omitempty"`
		}{listEntry: listEntryOf(sec), KmsKeyId: sec.KMSKeyID, Description: sec.Description}
		out.VersionIdsToStages, out.SecretVersionsToStages = out.SecretVersionsToStages, nil
		for _, r := range sec.Replicas {
			status := r.Status
			if status == "" {
				status = "InSync"
			}
			out.ReplicationStatus = append(out.ReplicationStatus, replicationStatus{r.Region, r.KMSKeyID, status, r.Message})
		}
		return out, nil
	})
}

func (s *Server) createSecret(body []byte) (any, *Fault) {
	var in struct {
		Name              string
		SecretString      *string
		SecretBinary      []byte
		KmsKeyId          string
		Description       string
		Tags              []tag
		AddReplicaRegions []struct{ Region, KmsKeyId string }
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		return nil, &Fault{Code: "InvalidParameterException", Message: "a Name is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.secrets[in.Name]; ok {
		return nil, &Fault{Code: "ResourceExistsException", Message: "The operation failed because the secret " + in.Name + " already exists."}
	}
	sec := &Secret{Name: in.Name, Binary: in.SecretBinary, KMSKeyID: in.KmsKeyId, Description: in.Description, Tags: map[string]string{}, Created: time.Now()}
	for _, r := range in.AddReplicaRegions {
		sec.Replicas = append(sec.Replicas, Replica{Region: r.Region, KMSKeyID: r.KmsKeyId})
	}
	if in.SecretString != nil {
		sec.Value = *in.SecretString
	}
	for _, t := range in.Tags {
		sec.Tags[t.Key] = t.Value
	}
	s.secrets[in.Name] = sec
	return writeOut{ARN: ARN(sec.Name), Name: sec.Name, VersionId: versionID(sec)}, nil
}

func (s *Server) putSecretValue(body []byte) (any, *Fault) {
	type input struct {
		secretRef
		SecretString *string
		SecretBinary []byte
	}
	return withLiveSecret(s, body, func(in input, sec *Secret) (any, *Fault) {
		sec.Versions = append(sec.Versions, Version{ID: versionID(sec), Value: sec.Value, Created: sec.Created})
		sec.Value, sec.Binary, sec.Created = "", in.SecretBinary, time.Now()
		if in.SecretString != nil {
			sec.Value = *in.SecretString
		}
		return writeOut{ARN: ARN(sec.Name), Name: sec.Name, VersionId: versionID(sec)}, nil
	})
}

func (s *Server) tagResource(body []byte) (any, *Fault) {
	type input struct {
		secretRef
		Tags []tag
	}
	return withSecret(s, body, func(in input, sec *Secret) (any, *Fault) {
		if sec.Tags == nil {
			sec.Tags = map[string]string{}
		}
		for _, t := range in.Tags {
			sec.Tags[t.Key] = t.Value
		}
		return struct{}{}, nil
	})
}

func (s *Server) untagResource(body []byte) (any, *Fault) {
	type input struct {
		secretRef
		TagKeys []string
	}
	return withSecret(s, body, func(in input, sec *Secret) (any, *Fault) {
		for _, k := range in.TagKeys {
			delete(sec.Tags, k)
		}
		return struct{}{}, nil
	})
}

func (s *Server) deleteSecret(body []byte) (any, *Fault) {
	type input struct {
		secretRef
		ForceDeleteWithoutRecovery bool
	}
	return withSecret(s, body, func(in input, sec *Secret) (any, *Fault) {
		if in.ForceDeleteWithoutRecovery {
			delete(s.secrets, sec.Name)
		} else {
			sec.Deleted = true
		}
		return struct {
			ARN          string
			Name         string
			DeletionDate float64
		}{ARN(sec.Name), sec.Name, 1.7e9}, nil
	})
}

func (s *Server) restoreSecret(body []byte) (any, *Fault) {
	return withSecret(s, body, func(_ secretRef, sec *Secret) (any, *Fault) {
		sec.Deleted = false
		return writeOut{ARN: ARN(sec.Name), Name: sec.Name}, nil
	})
}
