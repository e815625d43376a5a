package smfake

import (
	"slices"
	"strconv"
	"time"
)

// The reads of one secret's versions — GetSecretValue by stage or
// VersionId, ListSecretVersionIds — over Secret.Versions and the current
// value.

// fixedDate is the CreatedDate of a version stored without one.
var fixedDate = time.Unix(1.7e9, 0)

// version is one version of a secret as the API reports it.
type version struct {
	id      string
	value   string
	binary  []byte
	stages  []string
	created time.Time
}

// versions are sec's versions, oldest first, the current one last.
func versions(sec *Secret) []version {
	out := make([]version, 0, len(sec.Versions)+1)
	for i, v := range sec.Versions {
		id := v.ID
		if id == "" {
			id = "v" + strconv.Itoa(i+1)
		}
		var stages []string
		if i == len(sec.Versions)-1 {
			stages = []string{"AWSPREVIOUS"}
		}
		out = append(out, version{id: id, value: v.Value, stages: stages, created: v.Created})
	}
	out = append(out, version{id: versionID(sec), value: sec.Value, binary: sec.Binary, stages: []string{"AWSCURRENT"}, created: sec.Created})
	for i := range out {
		if out[i].created.IsZero() {
			out[i].created = fixedDate
		}
	}
	return out
}

// stagesOf is the stages of each of sec's versions that has one, by
// VersionId: ListSecrets' SecretVersionsToStages and DescribeSecret's
// VersionIdsToStages.
func stagesOf(sec *Secret) map[string][]string {
	out := map[string][]string{}
	for _, v := range versions(sec) {
		if len(v.stages) > 0 {
			out[v.id] = v.stages
		}
	}
	return out
}

// epoch is t as the protocol carries a timestamp: seconds since 1970.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Server) getSecretValue(body []byte) (any, *Fault) {
	type input struct {
		secretRef
		VersionId, VersionStage string
	}
	return withLiveSecret(s, body, func(in input, sec *Secret) (any, *Fault) {
		if sec.ErrorCode != "" {
			return nil, &Fault{Code: sec.ErrorCode, Message: "smfake: " + sec.ErrorCode}
		}
		stage := in.VersionStage
		if stage == "" && in.VersionId == "" {
			stage = "AWSCURRENT"
		}
		all := versions(sec)
		i := slices.IndexFunc(all, func(v version) bool {
			return (in.VersionId == "" || v.id == in.VersionId) && (stage == "" || slices.Contains(v.stages, stage))
		})
		if i < 0 {
			return nil, &Fault{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret value for VersionId: " + in.VersionId + ", VersionStage: " + in.VersionStage}
		}
		v := all[i]
		out := struct {
			ARN           string
			Name          string
			SecretString  *string `json:",omitempty"`
			SecretBinary  []byte  `json:",omitempty"`
			VersionId     string
			VersionStages []string
			CreatedDate   float64
		}{ARN: ARN(sec.Name), Name: sec.Name, VersionId: v.id, VersionStages: v.stages, CreatedDate: epoch(v.created)}
		if v.binary != nil {
			out.SecretBinary = v.binary
		} else {
			out.SecretString = &v.value
		}
		return out, nil
	})
}

func (s *Server) listSecretVersionIds(body []byte) (any, *Fault) {
	type input struct {
		secretRef
		MaxResults        int
		NextToken         string
		IncludeDeprecated bool
	}
	return withSecret(s, body, func(in input, sec *Secret) (any, *Fault) {
		var listed []version
		for _, v := range versions(sec) {
			if len(v.stages) > 0 || in.IncludeDeprecated {
				listed = append(listed, v)
			}
		}
		page, next, fault := paginate(listed, in.NextToken, in.MaxResults, 100)
		if fault != nil {
			return nil, fault
		}
		type entry struct {
			VersionId     string
			VersionStages []string `json:",omitempty"`
			CreatedDate   float64
		}
		out := struct {
			ARN       string
			Name      string
			Versions  []entry
			NextToken string `json:",omitempty"`
		}{ARN: ARN(sec.Name), Name: sec.Name, Versions: []entry{}, NextToken: next}
		for _, v := range page {
			out.Versions = append(out.Versions, entry{v.id, v.stages, epoch(v.created)})
		}
		return out, nil
	})
}
