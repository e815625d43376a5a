package smfake

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"
)

// The write operations keep uses — DescribeSecret, CreateSecret,
// PutSecretValue, TagResource, UntagResource and DeleteSecret — with
// Secrets Manager's answers for a missing, existing or deleted secret.

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

func versionID(sec *Secret) string { return "v" + strconv.Itoa(sec.version+1) }

func notFound() *Fault {
	return &Fault{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
}

func markedForDeletion() *Fault {
	return &Fault{Code: "InvalidRequestException", Message: "You can't perform this operation on the secret because it was marked for deletion."}
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
	var in struct{ SecretId string }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		return nil, notFound()
	}
	out := struct {
		listEntry
		KmsKeyId string `json:",omitempty"`
	}{listEntry: listEntry{ARN: ARN(sec.Name), Name: sec.Name, Tags: tagList(sec.Tags)}, KmsKeyId: sec.KMSKeyID}
	if sec.Deleted {
		d := 1.7e9
		out.DeletedDate = &d
	}
	return out, nil
}

func (s *Server) createSecret(body []byte) (any, *Fault) {
	var in struct {
		Name         string
		SecretString *string
		SecretBinary []byte
		KmsKeyId     string
		Tags         []tag
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		return nil, &Fault{Code: "InvalidParameterException", Message: "a Name is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.secrets[in.Name]; ok {
		return nil, &Fault{Code: "ResourceExistsException", Message: "The operation failed because the secret " + in.Name + " already exists."}
	}
	sec := &Secret{Name: in.Name, Binary: in.SecretBinary, KMSKeyID: in.KmsKeyId, Tags: map[string]string{}}
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
	var in struct {
		SecretId     string
		SecretString *string
		SecretBinary []byte
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	switch {
	case sec == nil:
		return nil, notFound()
	case sec.Deleted:
		return nil, markedForDeletion()
	}
	sec.Value, sec.Binary = "", in.SecretBinary
	if in.SecretString != nil {
		sec.Value = *in.SecretString
	}
	sec.version++
	return writeOut{ARN: ARN(sec.Name), Name: sec.Name, VersionId: versionID(sec)}, nil
}

func (s *Server) tagResource(body []byte) (any, *Fault) {
	var in struct {
		SecretId string
		Tags     []tag
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		return nil, notFound()
	}
	if sec.Tags == nil {
		sec.Tags = map[string]string{}
	}
	for _, t := range in.Tags {
		sec.Tags[t.Key] = t.Value
	}
	return struct{}{}, nil
}

func (s *Server) untagResource(body []byte) (any, *Fault) {
	var in struct {
		SecretId string
		TagKeys  []string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		return nil, notFound()
	}
	for _, k := range in.TagKeys {
		delete(sec.Tags, k)
	}
	return struct{}{}, nil
}

func (s *Server) deleteSecret(body []byte) (any, *Fault) {
	var in struct {
		SecretId                   string
		ForceDeleteWithoutRecovery bool
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	if sec == nil {
		return nil, notFound()
	}
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
}

func (s *Server) getSecretValue(body []byte) (any, *Fault) {
	var in struct{ SecretId string }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &Fault{Code: "InvalidParameterException", Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(in.SecretId)
	switch {
	case sec == nil:
		return nil, notFound()
	case sec.Deleted:
		return nil, markedForDeletion()
	case sec.ErrorCode != "":
		return nil, &Fault{Code: sec.ErrorCode, Message: "smfake: " + sec.ErrorCode}
	}
	out := struct {
		ARN           string
		Name          string
		SecretString  *string `json:",omitempty"`
		SecretBinary  []byte  `json:",omitempty"`
		VersionId     string
		VersionStages []string
	}{ARN: ARN(sec.Name), Name: sec.Name, VersionId: versionID(sec), VersionStages: []string{"AWSCURRENT"}}
	if sec.Binary != nil {
		out.SecretBinary = sec.Binary
	} else {
		v := sec.Value
		out.SecretString = &v
	}
	return out, nil
}
